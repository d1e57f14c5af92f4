# Modeled on: https://discuss.pytorch.org/t/batchnorm-gradients/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

torch.manual_seed(0)
bn = nn.BatchNorm1d(3)
x = torch.randn(4, 3, requires_grad=True)
y = bn(x)
y.pow(2).sum().backward()
print(x.grad.sum(dim=0).abs().max() < 1e-4)
print(bn.weight.grad.shape)
