# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter03_DL-basics/3.8_mlp.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: d2lzh_pytorch's set_figsize is inlined with matplotlib.
import matplotlib.pylab as plt
import numpy as np
import torch


def xyplot(x_vals, y_vals, name):
    plt.rcParams['figure.figsize'] = (5, 2.5)
    plt.plot(x_vals.detach().numpy(), y_vals.detach().numpy())
    plt.xlabel('x')
    plt.ylabel(name + '(x)')


x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = x.relu()
xyplot(x, y, 'relu')
y.sum().backward()
xyplot(x, x.grad, 'grad of relu')
print(x.grad[75:85])

y = x.sigmoid()
xyplot(x, y, 'sigmoid')
x.grad.zero_()
y.sum().backward()
xyplot(x, x.grad, 'grad of sigmoid')
print(np.round(x.grad.max().item(), 4))

y = x.tanh()
xyplot(x, y, 'tanh')
x.grad.zero_()
y.sum().backward()
xyplot(x, x.grad, 'grad of tanh')
print(x.grad[78:82])
