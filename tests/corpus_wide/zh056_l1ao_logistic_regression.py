# Modeled on: https://github.com/L1aoXingyu/code-of-learn-deep-learning-with-pytorch/blob/master/chapter3_NN/logistic-regression/logistic-regression.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: data.txt is replaced by two point clouds made in code; .data[0] becomes .item().
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(2017)
np.random.seed(2017)
points = np.concatenate([np.random.randn(30, 2) * 8 + [40, 40],
                         np.random.randn(30, 2) * 8 + [70, 70]])
data = [(p[0], p[1], float(i >= 30)) for i, p in enumerate(points)]
x0_max = max([i[0] for i in data])
x1_max = max([i[1] for i in data])
data = [(i[0] / x0_max, i[1] / x1_max, i[2]) for i in data]  # 标准化
x0 = list(filter(lambda x: x[-1] == 0.0, data))
x1 = list(filter(lambda x: x[-1] == 1.0, data))
plt.plot([i[0] for i in x0], [i[1] for i in x0], 'ro', label='x_0')
plt.plot([i[0] for i in x1], [i[1] for i in x1], 'bo', label='x_1')
plt.legend(loc='best')

np_data = np.array(data, dtype='float32')
x_data = torch.from_numpy(np_data[:, 0:2])
y_data = torch.from_numpy(np_data[:, -1]).unsqueeze(1)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


plot_x = np.arange(-10, 10.01, 0.01)
plt.plot(plot_x, sigmoid(plot_x), 'r')

w = nn.Parameter(torch.randn(2, 1))
b = nn.Parameter(torch.zeros(1))


def logistic_regression(x):
    return torch.sigmoid(torch.mm(x, w) + b)


def binary_loss(y_pred, y):
    logits = (y * y_pred.clamp(1e-12).log() + (1 - y) * (1 - y_pred).clamp(1e-12).log()).mean()
    return -logits


optimizer = torch.optim.SGD([w, b], lr=1.)
start = time.time()
for e in range(400):
    y_pred = logistic_regression(x_data)
    loss = binary_loss(y_pred, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    mask = y_pred.ge(0.5).float()
    acc = (mask == y_data).sum().item() / y_data.shape[0]
    if (e + 1) % 100 == 0:
        print('epoch: {}, Loss: {:.5f}, Acc: {:.5f}'.format(e + 1, loss.item(), acc))
during = time.time() - start
print('timed:', during >= 0)

w0, w1, b0 = w[0].item(), w[1].item(), b.item()
plot_x = np.arange(0.2, 1, 0.01)
plot_y = (-w0 * plot_x - b0) / w1
plt.plot(plot_x, plot_y, 'g', label='cutting line')

criterion = nn.BCEWithLogitsLoss()  # sigmoid 和 loss 合在一起，更稳定
w2 = nn.Parameter(torch.randn(2, 1))
b2 = nn.Parameter(torch.zeros(1))
optimizer = torch.optim.SGD([w2, b2], 1.)
for e in range(200):
    loss = criterion(torch.mm(x_data, w2) + b2, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(round(loss.item(), 4))
