import torch

w = torch.tensor([1., 2.], requires_grad=True)
b = torch.tensor([3., 4.], requires_grad=True)
(w * b).sum().backward()
(w * w).sum().backward()
