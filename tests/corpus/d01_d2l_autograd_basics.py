# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_preliminaries/autograd.md
# (written for this corpus after that source's example; not copied)
import torch

x = torch.arange(4.0)
x.requires_grad_(True)
print(x.grad)
y = 2 * torch.dot(x, x)
print(y)
y.backward()
print(x.grad)
print(x.grad == 4 * x)
x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)
