# Modeled on: https://github.com/pytorch/pytorch/issues/121416
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn

L = nn.MSELoss(reduction="none")
x = torch.zeros(2, requires_grad=True)
y = torch.Tensor([0, torch.nan])
mask = torch.logical_not(torch.isnan(y))
loss = L(x[mask], y[mask]).sum()  # mask before the loss
loss.backward()
print(x.grad)
loss = L(x, y)[mask].sum()  # mask after the loss: nan reaches the grad
loss.backward()
print(x.grad)
