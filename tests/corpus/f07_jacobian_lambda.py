# Modeled on: https://discuss.pytorch.org/t/computing-the-jacobian/
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([1.0, 2.0, 3.0])
J = torch.autograd.functional.jacobian(lambda t: t ** 2 + t.sin(), x)
print(J)
print(torch.allclose(J.diag(), 2 * x + x.cos()))
