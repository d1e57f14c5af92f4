# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_builders-guide/custom-layer.md
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn
from torch.nn import functional as F


class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)


layer = CenteredLayer()
print(layer(torch.tensor([1.0, 2, 3, 4, 5])))
linear = MyLinear(5, 3)
print(linear.weight.shape)
print(linear(torch.rand(2, 5)).shape)
