# Modeled on: https://github.com/L1aoXingyu/code-of-learn-deep-learning-with-pytorch/blob/master/chapter2_PyTorch-Basics/autograd.ipynb
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd import Variable

torch.manual_seed(0)
x = Variable(torch.Tensor([2]), requires_grad=True)
y = x + 2
z = y ** 2 + 3
print(z)
z.backward()
print(x.grad)

x = Variable(torch.randn(4, 5), requires_grad=True)
y = Variable(torch.randn(4, 3), requires_grad=True)
w = Variable(torch.randn(5, 3), requires_grad=True)
out = torch.mean(y - torch.matmul(x, w))
out.backward()
print(x.grad)
print(y.grad)
print(w.grad)

m = Variable(torch.FloatTensor([[2, 3]]), requires_grad=True)  # 1 x 2
n = Variable(torch.zeros(1, 2))
n[0, 0] = m[0, 0] ** 2  # 往 n 里写入
n[0, 1] = m[0, 1] ** 3
print(n)
n.backward(torch.ones_like(n))
print(m.grad)

x = Variable(torch.FloatTensor([3]), requires_grad=True)
y = x * 2 + x ** 2 + 3
y.backward(retain_graph=True)  # 保留计算图
print(x.grad)
y.backward()
print(x.grad)

# 一行一行地求雅可比矩阵
x = Variable(torch.FloatTensor([2, 3]), requires_grad=True)
k = Variable(torch.zeros(2))
k[0] = x[0] ** 2 + 3 * x[1]
k[1] = x[1] ** 2 + 2 * x[0]
j = torch.zeros(2, 2)
k.backward(torch.FloatTensor([1, 0]), retain_graph=True)
j[0] = x.grad.data
x.grad.data.zero_()  # 清零
k.backward(torch.FloatTensor([0, 1]))
j[1] = x.grad.data
print(j)
