# Modeled on: https://pytorch.org/docs/stable/notes/autograd.html
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
y.retain_grad()
z = (y ** 2).sum()
z.backward()
print(y.grad)
print(x.grad)
print(y.is_leaf, x.is_leaf)
