# Modeled on: https://github.com/L1aoXingyu/code-of-learn-deep-learning-with-pytorch/blob/master/chapter3_NN/param_initialize.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: numpy's float64 arrays are cast with .float() so the net still runs forward.
import numpy as np
import torch
from torch import nn
from torch.nn import init

torch.manual_seed(0)
np.random.seed(0)
net1 = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 5), nn.ReLU(), nn.Linear(5, 2))
w1 = net1[0].weight
b1 = net1[0].bias
print(w1.shape, b1.shape)

net1[0].weight.data = torch.from_numpy(np.random.uniform(3, 5, size=(8, 6))).float()
print(net1[0].weight)

for layer in net1:
    if isinstance(layer, nn.Linear):  # 只初始化线性层
        param_shape = layer.weight.shape
        layer.weight.data = torch.from_numpy(np.random.normal(0, 0.5, size=param_shape)).float()


class sim_net(nn.Module):
    def __init__(self):
        super(sim_net, self).__init__()
        self.l1 = nn.Sequential(nn.Linear(6, 8), nn.ReLU())
        self.l1[0].weight.data = torch.randn(8, 6)  # 直接给某一层赋值
        self.l2 = nn.Sequential(nn.Linear(8, 5), nn.ReLU())
        self.l3 = nn.Sequential(nn.Linear(5, 2), nn.ReLU())

    def forward(self, x):
        return self.l3(self.l2(self.l1(x)))


net2 = sim_net()
for i in net2.children():
    print(i)
for i in net2.modules():
    print(i)
for layer in net2.modules():
    if isinstance(layer, nn.Linear):
        param_shape = layer.weight.shape
        layer.weight.data = torch.from_numpy(np.random.normal(0, 0.5, size=param_shape)).float()

init.xavier_uniform_(net1[0].weight)  # 内置的 Xavier 初始化
out = net1(torch.randn(3, 6)).sum() + net2(torch.randn(3, 6)).sum()
out.backward()
print(net1[0].weight.grad.shape, net2.l3[0].weight.grad)
