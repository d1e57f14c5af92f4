# Modeled on: https://discuss.pytorch.org/t/why-is-the-grad-of-an-intermediate-variable-none/
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
z = y.sum()
z.backward()
print(x.grad)
print(y.grad)
