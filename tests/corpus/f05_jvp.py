# Modeled on: https://pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd.functional import jvp


def exp_reducer(x):
    return x.exp().sum(dim=1)


inputs = torch.rand(4, 4)
v = torch.ones(4, 4)
out, tangent = jvp(exp_reducer, inputs, v)
print(torch.allclose(out, tangent))
