import torch

w = torch.ones(2, requires_grad=True)
x = torch.ones(2)
w += x
