# Modeled on: https://github.com/L1aoXingyu/code-of-learn-deep-learning-with-pytorch/blob/master/chapter3_NN/nn-sequential-module.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the two-moons style data is generated with numpy in code; fewer steps.
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

torch.manual_seed(1)
np.random.seed(1)
m = 100
N = int(m / 2)
D = 2
x = np.zeros((m, D))
y = np.zeros((m, 1), dtype='uint8')
a = 4
for j in range(2):  # 画两瓣花
    ix = range(N * j, N * (j + 1))
    t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
    r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
    x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
    y[ix] = j
plt.scatter(x[:, 0], x[:, 1], c=y.reshape(-1), s=40, cmap=plt.cm.Spectral)

x = torch.from_numpy(x).float()
y = torch.from_numpy(y).float()
seq_net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
print(seq_net[0])
w0 = seq_net[0].weight
print(w0)
param = seq_net.parameters()
optim = torch.optim.SGD(param, 1.)
criterion = nn.BCEWithLogitsLoss()
for e in range(200):
    out = seq_net(x)
    loss = criterion(out, y)
    optim.zero_grad()
    loss.backward()
    optim.step()
    if (e + 1) % 50 == 0:
        print('epoch: {}, loss: {}'.format(e + 1, loss.item()))


class module_net(nn.Module):
    def __init__(self, num_input, num_hidden, num_output):
        super(module_net, self).__init__()
        self.layer1 = nn.Linear(num_input, num_hidden)
        self.layer2 = nn.Tanh()
        self.layer3 = nn.Linear(num_hidden, num_output)

    def forward(self, x):
        return self.layer3(self.layer2(self.layer1(x)))


mo_net = module_net(2, 4, 1)
l1 = mo_net.layer1
print(l1)
optim = torch.optim.SGD(mo_net.parameters(), 1.)
for e in range(200):
    loss = criterion(mo_net(x), y)
    optim.zero_grad()
    loss.backward()
    optim.step()
print('final loss: {}'.format(loss.item()))
