# Modeled on: https://github.com/pytorch/pytorch/issues/68425
# (written for this corpus after that source's example; not copied)
import torch

a = torch.tensor(100., requires_grad=True)
b = torch.where(a <= 0, torch.exp(a), 1 + a)  # exp(100) overflows in the unused branch
b.backward()
print(b)
print(a.grad)  # nan: 0 * inf from the branch that was not taken

a2 = torch.tensor(100., requires_grad=True)
safe = torch.exp(torch.where(a2 <= 0, a2, torch.zeros_like(a2)))  # the usual workaround
b2 = torch.where(a2 <= 0, safe, 1 + a2)
b2.backward()
print(a2.grad)
