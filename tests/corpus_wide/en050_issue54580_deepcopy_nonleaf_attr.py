# Modeled on: https://github.com/pytorch/pytorch/issues/54580
# (written for this corpus after that source's example; not copied)
# Adapted: on the CPU, with a small input.
# Ends on PyTorch's error: deepcopy of a module that keeps a non-leaf tensor as an attribute.
from copy import deepcopy

import torch
import torch.nn as nn

torch.manual_seed(0)


class Test(nn.Module):
    def __init__(self):
        super(Test, self).__init__()
        self.con1 = nn.Conv2d(1, 2, 3)
        self.con2 = nn.Conv2d(2, 1, 3)

    def forward(self, x):
        return self.func(x)

    def func(self, x):
        self.exp = None
        x = self.con1(x)
        x = self.con2(x)
        self.exp = x  # a tensor with a grad_fn, kept on the module
        return self.exp


model = Test()
copied = deepcopy(model)  # fine before any forward pass
print(type(copied).__name__)
output = model(torch.ones(1, 1, 8, 8))
print(output.shape)
copy_model = deepcopy(model)
