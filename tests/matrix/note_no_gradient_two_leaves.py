import torch

a = torch.ones(2, requires_grad=True)
b = torch.ones(2, requires_grad=True)
out = (a * 2).sum()
out.backward()
