# Modeled on: https://pytorch.org/docs/stable/notes/autograd.html
# (written for this corpus after that source's example; not copied)
import torch

a = torch.randn(3, requires_grad=True)
b = a.sigmoid()
c = b * 2
b.mul_(3)
try:
    c.sum().backward()
    print("ok")
except RuntimeError:
    print("in-place error caught")
d = a.exp()
d.add_(1)
print(d.grad_fn)
