import torch

a = torch.ones(2)
b = torch.ones(2, device='meta')
c = a + b
