# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter04_DL_computation/4.1_model-construction.ipynb
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn

torch.manual_seed(0)


class FancyMLP(nn.Module):
    def __init__(self, **kwargs):
        super(FancyMLP, self).__init__(**kwargs)
        self.rand_weight = torch.rand((8, 8), requires_grad=False)  # 常数参数，不训练
        self.linear = nn.Linear(8, 8)

    def forward(self, x):
        x = self.linear(x)
        x = nn.functional.relu(torch.mm(x, self.rand_weight.data) + 1)
        x = self.linear(x)  # 复用同一层：共享参数
        while x.norm().item() > 1:
            x /= 2
        if x.norm().item() < 0.8:
            x *= 10
        return x.sum()


X = torch.rand(2, 8)
net = FancyMLP()
print(net)
y = net(X)
print(y)
y.backward()
print(net.linear.weight.grad.abs().sum())


class NestMLP(nn.Module):
    def __init__(self, **kwargs):
        super(NestMLP, self).__init__(**kwargs)
        self.net = nn.Sequential(nn.Linear(12, 10), nn.ReLU())

    def forward(self, x):
        return self.net(x)


net = nn.Sequential(NestMLP(), nn.Linear(10, 8), FancyMLP())
print(net)
print(net(torch.rand(2, 12)))


class WithModuleList(nn.Module):
    def __init__(self):
        super(WithModuleList, self).__init__()
        self.linears = nn.ModuleList([nn.Linear(4, 4)])


class WithPlainList(nn.Module):
    def __init__(self):
        super(WithPlainList, self).__init__()
        self.linears = [nn.Linear(4, 4)]  # 普通 list：参数不会被注册


net1 = WithModuleList()
net2 = WithPlainList()
print("net1:")
for p in net1.parameters():
    print(p.size())
print("net2:")
for p in net2.parameters():
    print(p)
