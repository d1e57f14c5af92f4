import torch

x = torch.ones(4, requires_grad=True)
y = x.view(2, 2) * 2
y.backward()
