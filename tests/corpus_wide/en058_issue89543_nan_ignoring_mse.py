# Modeled on: https://github.com/pytorch/pytorch/issues/89543
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = torch.tensor([1.5, float('nan'), 2.0])
m = ~torch.isnan(y)
r = x - y
loss1 = torch.where(m, r, torch.zeros_like(r)).pow(2).sum()  # mask the residual
g1, = torch.autograd.grad(loss1, x)
s = (x - y) ** 2
loss2 = torch.where(m, s, torch.zeros_like(s)).sum()  # mask the square
g2, = torch.autograd.grad(loss2, x)
print(loss1, loss2)
print(g1)
print(g2)
