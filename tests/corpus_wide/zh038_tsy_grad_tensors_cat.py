# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-2/06_autograd.ipynb
# (written for this corpus after that source's example; not copied)
import torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y0 = torch.mul(a, b)  # y0 = (x+w)*(w+1), dy0/dw = 2w + x + 1
y1 = torch.add(a, b)  # y1 = (x+w)+(w+1), dy1/dw = 2
loss = torch.cat([y0, y1], dim=0)
grad_tensors = torch.tensor([1., 2.])  # 多个输出的权重
loss.backward(gradient=grad_tensors)
print(w.grad)  # 1*5 + 2*2 = 9

# 二阶导数：create_graph=True
x = torch.tensor([3.], requires_grad=True)
y = torch.pow(x, 2)
grad_1 = torch.autograd.grad(y, x, create_graph=True)  # 2x = 6
print(grad_1)
grad_2 = torch.autograd.grad(grad_1[0], x)  # 2
print(grad_2)
