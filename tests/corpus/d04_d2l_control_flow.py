# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_preliminaries/autograd.md
# (written for this corpus after that source's example; not copied)
import torch


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
print(a.grad == d / a)
