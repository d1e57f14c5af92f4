# Modeled on: https://pytorch.org/docs/stable/autograd.html#functional-higher-level-api
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd.functional import jacobian


def exp_adder(x, y):
    return 2 * x.exp() + 3 * y


inputs = (torch.rand(2), torch.rand(2))
jx, jy = jacobian(exp_adder, inputs)
print(jx.shape, jy)
