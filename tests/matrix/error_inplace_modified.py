import torch

x = torch.ones(3, requires_grad=True)
h = x.sigmoid()
h.mul_(2)
h.sum().backward()
