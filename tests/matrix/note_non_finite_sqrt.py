import torch

x = torch.tensor([0., 1., 4.], requires_grad=True)
y = torch.sqrt(x).sum()
y.backward()
