# Modeled on: https://pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd.functional import hessian


def pow_reducer(x):
    return x.pow(3).sum()


inputs = torch.rand(2, 2)
h = hessian(pow_reducer, inputs)
print(h.shape)
print(torch.allclose(h.reshape(4, 4).diag(), (6 * inputs).reshape(4)))
