# Modeled on: https://github.com/L1aoXingyu/code-of-learn-deep-learning-with-pytorch/blob/master/chapter3_NN/optimizer/momentum.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: MNIST (downloaded by torchvision) is replaced by random images made with numpy,
# normalized by the same data_tf; loss.data[0] becomes loss.item().
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

torch.manual_seed(0)
np.random.seed(0)


def data_tf(x):
    x = np.array(x, dtype='float32') / 255
    x = (x - 0.5) / 0.5  # 标准化
    x = x.reshape((-1,))  # 拉平
    return torch.from_numpy(x)


raw = np.random.randint(0, 256, size=(96, 8, 8))
train_set = [(data_tf(img), int(label)) for img, label in zip(raw, np.random.randint(0, 10, 96))]
criterion = nn.CrossEntropyLoss()


def sgd_momentum(parameters, vs, lr, gamma):
    for param, v in zip(parameters, vs):
        v[:] = gamma * v + lr * param.grad.data
        param.data = param.data - v


train_data = DataLoader(train_set, batch_size=16, shuffle=True)
net = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
vs = []
for param in net.parameters():
    vs.append(torch.zeros_like(param.data))  # 速度初始化为 0
losses = []
start = time.time()
for e in range(3):
    train_loss = 0
    for im, label in train_data:
        out = net(im)
        loss = criterion(out, label)
        net.zero_grad()
        loss.backward()
        sgd_momentum(net.parameters(), vs, 1e-2, 0.9)
        train_loss += loss.item()
        losses.append(loss.item())
    print('epoch: {}, Train Loss: {:.6f}'.format(e, train_loss / len(train_data)))
end = time.time()
print('timed:', end - start >= 0)
x_axis = np.linspace(0, 3, len(losses), endpoint=True)
plt.semilogy(x_axis, losses, label='momentum: 0.9')
plt.legend(loc='best')
