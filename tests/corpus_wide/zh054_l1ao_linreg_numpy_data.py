# Modeled on: https://github.com/L1aoXingyu/code-of-learn-deep-learning-with-pytorch/blob/master/chapter3_NN/linear-regression-gradient-descend.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: loss.data[0] (an error on 0-d tensors today) becomes loss.item().
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.autograd import Variable

torch.manual_seed(2017)
x_train = np.array([[3.1], [4.2], [5.5], [6.4], [6.9], [4.0], [9.6], [6.2],
                    [7.5], [2.2], [7.1], [10.5]], dtype=np.float32)
y_train = np.array([[1.6], [2.7], [2.1], [3.2], [1.7], [1.6], [3.4], [2.6],
                    [2.5], [1.2], [2.8], [3.5]], dtype=np.float32)
plt.plot(x_train, y_train, 'bo')

x_train = torch.from_numpy(x_train)
y_train = torch.from_numpy(y_train)
w = Variable(torch.randn(1), requires_grad=True)
b = Variable(torch.zeros(1), requires_grad=True)


def linear_model(x):
    return x * w + b


def get_loss(y_, y):
    return torch.mean((y_ - y) ** 2)


y_ = linear_model(x_train)
loss = get_loss(y_, y_train)
print(loss)
loss.backward()
print(w.grad)
print(b.grad)
w.data = w.data - 1e-2 * w.grad.data  # 更新一次
b.data = b.data - 1e-2 * b.grad.data

for e in range(10):
    y_ = linear_model(x_train)
    loss = get_loss(y_, y_train)
    w.grad.zero_()  # 记得清零
    b.grad.zero_()
    loss.backward()
    w.data = w.data - 1e-2 * w.grad.data
    b.data = b.data - 1e-2 * b.grad.data
    print('epoch: {}, loss: {}'.format(e, loss.item()))

y_ = linear_model(x_train)
plt.plot(x_train.data.numpy(), y_train.data.numpy(), 'bo', label='real')
plt.plot(x_train.data.numpy(), y_.data.numpy(), 'ro', label='estimated')
plt.legend()
