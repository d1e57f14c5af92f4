# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/blitz/autograd_tutorial.py
# (written for this corpus after that source's example; not copied)
import torch

x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
print(y.grad_fn)
z = y * y * 3
out = z.mean()
print(z, out)
out.backward()
print(x.grad)
