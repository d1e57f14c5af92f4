# Modeled on: https://github.com/d2l-ai/d2l-zh/blob/master/chapter_deep-learning-computation/model-construction.md
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
X = torch.rand(2, 20)


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            # module 存进 Module 的成员变量 _modules（一个 OrderedDict）
            self._modules[str(idx)] = module

    def forward(self, X):
        for block in self._modules.values():  # 按添加顺序遍历
            X = block(X)
        return X


net = MySequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 10))
out = net(X)
print(out.shape)
out.sum().backward()
print(net._modules['2'].bias.grad)


class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.rand_weight = torch.rand((20, 20), requires_grad=False)  # 训练中不变
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)  # 复用全连接层：共享参数
        while X.abs().sum() > 1:  # 控制流
            X /= 2
        return X.sum()


class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU())
        self.linear = nn.Linear(8, 6)

    def forward(self, X):
        return self.linear(self.net(X))


chimera = nn.Sequential(NestMLP(), nn.Linear(6, 20), FixedHiddenMLP())
y = chimera(X)
print(y)
y.backward()
print(chimera[0].linear.weight.grad.shape)
