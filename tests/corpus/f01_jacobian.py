# Modeled on: https://pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd.functional import jacobian


def exp_reducer(x):
    return x.exp().sum(dim=1)


torch.manual_seed(0)
inputs = torch.rand(2, 2)
print(jacobian(exp_reducer, inputs))
print(jacobian(exp_reducer, inputs, create_graph=True).shape)
