import torch

x = torch.ones(2, requires_grad=True)
z = x * x
out1 = z.sum()
out2 = z.mean()
out1.backward()
out2.backward()
