import torch

x = torch.tensor([2., 1.], requires_grad=True).view(1, 2)
x.sum().backward()
x.sum().backward()
