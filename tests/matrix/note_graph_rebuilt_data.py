import torch

w = torch.tensor(1.0, requires_grad=True)
x = torch.tensor([1., 2., 3.])
for _i in range(3):
    loss = ((w * x) ** 2).sum()
    loss.backward()
