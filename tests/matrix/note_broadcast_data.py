import torch

data = torch.ones(2, 3)
bias = torch.tensor([1., 2., 3.], requires_grad=True)
out = (data + bias).sum()
out.backward()
