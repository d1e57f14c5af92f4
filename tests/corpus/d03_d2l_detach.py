# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_preliminaries/autograd.md
# (written for this corpus after that source's example; not copied)
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u)
x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)
