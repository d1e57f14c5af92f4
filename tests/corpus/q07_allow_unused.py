# Modeled on: https://discuss.pytorch.org/t/one-of-the-differentiated-tensors-appears-to-not-have-been-used-in-the-graph/
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor(1.0, requires_grad=True)
y = torch.tensor(2.0, requires_grad=True)
z = x * 3
gx, gy = torch.autograd.grad(z, [x, y], allow_unused=True)
print(gx, gy)
try:
    torch.autograd.grad(x * 3, [x, y])
except RuntimeError:
    print("error without allow_unused")
