# Modeled on: https://github.com/pytorch/pytorch/issues/2421
# (written for this corpus after that source's example; not copied)
import torch

x = torch.zeros(1, requires_grad=True)
x.norm().backward()
print(x.grad)  # nan: sqrt's gradient is infinite at 0

y = torch.zeros(1, requires_grad=True)
y.abs().backward()
print(y.grad)  # abs picks 0 as its subgradient

z = torch.zeros(3, requires_grad=True)
(z + 1e-16).norm().backward()
print(z.grad)

w = torch.zeros(3, requires_grad=True)
(w.pow(2).sum() + 1e-12).sqrt().backward()
print(w.grad)
