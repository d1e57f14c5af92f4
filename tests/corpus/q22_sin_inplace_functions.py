# Modeled on: https://discuss.pytorch.org/t/inplace-sin/
# (written for this corpus after that source's example; not copied)
import torch

t = torch.tensor([0.0, 1.0])
torch.sin_(t)
print(t)
t.cos_()
print(t)
x = torch.tensor([0.5], requires_grad=True)
y = x * 1
y.exp_()
y.backward()
print(x.grad)
