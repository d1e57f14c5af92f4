import torch

x = torch.ones(2, requires_grad=True)
g = x.grd
