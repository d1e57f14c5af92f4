# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_builders-guide/parameters.md
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
print(net(X).shape)
print(net[2].state_dict()["bias"].shape)
print(net[2].weight.grad == None)
print(*[(name, param.shape) for name, param in net.named_parameters()])
