# Modeled on: https://discuss.pytorch.org/t/one-of-the-variables-needed-for-gradient-computation-has-been-modified-by-an-inplace-operation/
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
u = x.exp()
v = u * 2
print(u._version)
u[0] = 666
print(u._version)
try:
    u.sum().backward()
    print("ok: exp saved its result but sum does not need it")
except RuntimeError:
    print("caught")
