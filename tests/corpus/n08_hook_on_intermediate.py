# Modeled on: https://pytorch.org/docs/stable/notes/autograd.html
# (written for this corpus after that source's example; not copied)
import torch

a = torch.tensor(2.0, requires_grad=True)
b = a * 3
grads = []
b.register_hook(lambda g: grads.append(g.item()))
c = b ** 2
c.backward()
print(grads)
print(a.grad)
