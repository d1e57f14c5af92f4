# Modeled on: https://github.com/pytorch/pytorch/issues/17455
# (written for this corpus after that source's example; not copied)
import numpy as np
import torch

x = torch.from_numpy(np.array([0, 100])).float()
x.requires_grad = True
f = torch.log((torch.exp(x) + 1))  # exp(100) is inf in float32
f[1] = 0
f[:] = 0
clean_f = torch.zeros(10)
clean_f[0] = f[0]
print(torch.autograd.grad(f[1], x, retain_graph=True))
print(torch.autograd.grad(f[0], x, retain_graph=True))
print(torch.autograd.grad(clean_f[1], x, retain_graph=True))
print(f)
