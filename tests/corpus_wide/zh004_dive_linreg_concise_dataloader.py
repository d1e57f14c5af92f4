# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter03_DL-basics/3.3_linear-regression-pytorch.ipynb
# (written for this corpus after that source's example; not copied)
from collections import OrderedDict

import numpy as np
import torch
import torch.optim as optim
import torch.utils.data as Data
from torch import nn
from torch.nn import init

torch.manual_seed(1)
np.random.seed(1)

num_inputs = 2
num_examples = 300
true_w = [2, -3.4]
true_b = 4.2
features = torch.tensor(np.random.normal(0, 1, (num_examples, num_inputs)), dtype=torch.float)
labels = true_w[0] * features[:, 0] + true_w[1] * features[:, 1] + true_b
labels += torch.tensor(np.random.normal(0, 0.01, size=labels.size()), dtype=torch.float)

batch_size = 10
dataset = Data.TensorDataset(features, labels)  # 特征和标签组合在一起
data_iter = Data.DataLoader(
    dataset=dataset,
    batch_size=batch_size,
    shuffle=True,  # 打乱数据
    num_workers=2,  # 两个进程读数据
)
for X, y in data_iter:
    print(X, '\n', y)
    break


class LinearNet(nn.Module):
    def __init__(self, n_feature):
        super(LinearNet, self).__init__()
        self.linear = nn.Linear(n_feature, 1)

    def forward(self, x):
        return self.linear(x)


net = LinearNet(num_inputs)
print(net)

net = nn.Sequential(OrderedDict([
    ('linear', nn.Linear(num_inputs, 1)),
]))
print(net)
print(net[0])

init.normal_(net[0].weight, mean=0.0, std=0.01)
init.constant_(net[0].bias, val=0.0)
for param in net.parameters():
    print(param)

loss = nn.MSELoss()
optimizer = optim.SGD(net.parameters(), lr=0.03)
print(optimizer)

for epoch in range(1, 4):
    for X, y in data_iter:
        output = net(X)
        l = loss(output, y.view(-1, 1))
        optimizer.zero_grad()  # 等价于 net.zero_grad()
        l.backward()
        optimizer.step()
    print('epoch %d, loss: %f' % (epoch, l.item()))

dense = net[0]
print(true_w, dense.weight.data)
print(true_b, dense.bias.data)
