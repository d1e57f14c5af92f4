# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter4/Chapter4.ipynb
# (written for this corpus after that source's example; not copied)
import torch as t
from torch import nn, optim

t.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.features = nn.Sequential(nn.Linear(4, 6), nn.ReLU())
        self.classifier = nn.Linear(6, 2)

    def forward(self, x):
        return self.classifier(self.features(x))


net = Net()
# 不同子网络设置不同学习率
optimizer = optim.SGD([
    {'params': net.features.parameters()},  # 用默认学习率 1e-5
    {'params': net.classifier.parameters(), 'lr': 1e-2},
], lr=1e-5)
print(optimizer)

# 只给第一层较大的学习率：用 id 区分参数
special_layers = nn.ModuleList([net.classifier])
special_layers_params = list(map(id, special_layers.parameters()))
base_params = [p for p in net.parameters() if id(p) not in special_layers_params]
optimizer = t.optim.SGD([
    {'params': base_params},
    {'params': special_layers.parameters(), 'lr': 0.01},
], lr=0.001)
print(len(base_params))

x = t.randn(5, 4)
loss = net(x).pow(2).mean()
optimizer.zero_grad()
loss.backward()
optimizer.step()
print(net.classifier.bias)

for param_group in optimizer.param_groups:
    param_group['lr'] *= 0.1  # 手动衰减学习率
print([g['lr'] for g in optimizer.param_groups])
