# Modeled on: https://github.com/pytorch/pytorch/issues/3307
# (written for this corpus after that source's example; not copied)
import copy

import torch

a = torch.ones(2, requires_grad=True)
(a * 3).sum().backward()
b = copy.deepcopy(a)
print(b.grad)  # the grad is copied too (it was not in 2017)
print(b.requires_grad, b.is_leaf)
b.grad.zero_()
print(a.grad)  # a separate tensor: a's grad is untouched

net = torch.nn.Linear(2, 1)
net(torch.ones(1, 2)).sum().backward()
net_copy = copy.deepcopy(net)
print(net_copy.weight.grad, net_copy.weight is net.weight)
