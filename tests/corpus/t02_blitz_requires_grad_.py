# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/blitz/autograd_tutorial.py
# (written for this corpus after that source's example; not copied)
import torch

a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)
