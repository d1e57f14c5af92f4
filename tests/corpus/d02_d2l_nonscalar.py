# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_preliminaries/autograd.md
# (written for this corpus after that source's example; not copied)
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
y.backward(gradient=torch.ones(len(y)))
print(x.grad)
x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad == 2 * x)
