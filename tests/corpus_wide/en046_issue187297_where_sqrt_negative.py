# Modeled on: https://github.com/pytorch/pytorch/issues/187297
# (written for this corpus after that source's example; not copied)
import torch

xt = torch.tensor([-1.0, -4.0, 9.0], dtype=torch.float32, requires_grad=True)
y = torch.where(xt > 0, torch.sqrt(xt), xt).sum()
y.backward()
print("actual:")
print(xt.grad)
expected = torch.tensor([1.0, 1.0, 1 / 6])
print("expected:")
print(expected)
print(torch.isnan(xt.grad).any().item())
