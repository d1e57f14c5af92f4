# Modeled on: https://pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd.functional import vjp


def exp_reducer(x):
    return x.exp().sum(dim=1)


inputs = torch.rand(4, 4)
v = torch.ones(4)
out, grad = vjp(exp_reducer, inputs, v)
print(out.shape, grad.shape)
print(torch.allclose(grad, inputs.exp()))
