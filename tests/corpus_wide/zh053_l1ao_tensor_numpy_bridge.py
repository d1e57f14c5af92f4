# Modeled on: https://github.com/L1aoXingyu/code-of-learn-deep-learning-with-pytorch/blob/master/chapter2_PyTorch-Basics/Tensor-and-Variable.ipynb
# (written for this corpus after that source's example; not copied)
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.autograd import Variable

np.random.seed(0)
numpy_tensor = np.random.randn(4, 5)
pytorch_tensor1 = torch.Tensor(numpy_tensor)  # 复制一份，float32
pytorch_tensor2 = torch.from_numpy(numpy_tensor)  # 共享内存，float64
numpy_array = pytorch_tensor1.numpy()
print(pytorch_tensor1.shape, pytorch_tensor1.size())
print(pytorch_tensor1.type(), pytorch_tensor2.type())
print(pytorch_tensor1.dim(), pytorch_tensor1.numel())

x = torch.randn(3, 2)
x = x.type(torch.DoubleTensor)
x_array = x.numpy()
print(x_array.dtype)

x = torch.ones(2, 2)
print(x.type())
x = x.long()
print(x)
x = x.float()
print(x)

x = torch.ones(4, 4).float()
x[1:3, 1:3] = 2
print(x)

x_tensor = torch.randn(3, 2)
y_tensor = torch.randn(3, 2)
x = Variable(x_tensor, requires_grad=True)
y = Variable(y_tensor, requires_grad=True)
z = torch.sum(x + y)
print(z.data)
print(z.grad_fn)
z.backward()
print(x.grad)
print(y.grad)

xs = np.arange(-3, 3.01, 0.1)
ys = xs ** 2
plt.plot(xs, ys)
plt.plot(2, 4, 'ro')
plt.show()
x = Variable(torch.FloatTensor([2]), requires_grad=True)
y = x ** 2
y.backward()
print(x.grad)  # 在 x=2 处的斜率
