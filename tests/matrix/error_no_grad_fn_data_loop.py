import torch

w = torch.ones(2, requires_grad=True)
x = torch.ones(2)
for _i in range(2):
    pred = x * 2
    pred.sum().backward()
