# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_builders-guide/model-construction.md
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
net = nn.Sequential(nn.LazyLinear(32), nn.ReLU(), nn.LazyLinear(10))
X = torch.rand(2, 20)
print(net(X).shape)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()  # the parent constructor sets up the bookkeeping
        self.hidden = nn.LazyLinear(32)
        self.out = nn.LazyLinear(10)

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))


net = MLP()
print(net(X).shape)


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)

    def forward(self, X):
        for module in self.children():
            X = module(X)
        return X


net = MySequential(nn.LazyLinear(32), nn.ReLU(), nn.LazyLinear(10))
out = net(X)
print(out.shape)
out.sum().backward()
print(list(net.children())[2].bias.grad)


class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.rand_weight = torch.rand((20, 20))  # a constant, never trained
        self.linear = nn.LazyLinear(20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)  # the same layer twice: shared parameters
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


net = FixedHiddenMLP()
y = net(X)
y.backward()
print(y, net.linear.weight.grad.shape)
