# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter3/chapter3.ipynb
# (written for this corpus after that source's example; not copied)
import numpy as np
import torch as t
from matplotlib import pyplot as plt

t.manual_seed(1000)


def get_fake_data(batch_size=8):
    x = t.rand(batch_size, 1) * 5
    y = x * 2 + 3 + t.randn(batch_size, 1)
    return x, y


x, y = get_fake_data()
plt.scatter(x.squeeze().numpy(), y.squeeze().numpy())

w = t.rand(1, 1, requires_grad=True)
b = t.zeros(1, 1, requires_grad=True)
losses = np.zeros(300)  # 记录每一步的 loss
lr = 0.005
for ii in range(300):
    x, y = get_fake_data(batch_size=32)
    y_pred = x.mm(w) + b.expand_as(y)
    loss = 0.5 * (y_pred - y) ** 2
    loss = loss.sum()
    losses[ii] = loss.item()
    loss.backward()  # 自动求梯度
    w.data.sub_(lr * w.grad.data)
    b.data.sub_(lr * b.grad.data)
    w.grad.data.zero_()  # 梯度清零
    b.grad.data.zero_()
    if ii % 100 == 0:
        x = t.arange(0, 6).float().view(-1, 1)
        y = x.mm(w.data) + b.data.expand_as(x)
        plt.plot(x.numpy(), y.numpy())
        plt.xlim(0, 5)
        plt.ylim(0, 13)
        plt.show()
print(w.item(), b.item())
plt.plot(losses)
plt.ylim(5, 50)
print(losses[:3].round(2), losses[-1] < losses[0])
