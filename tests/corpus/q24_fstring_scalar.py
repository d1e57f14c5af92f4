# Modeled on: https://discuss.pytorch.org/t/printing-tensor-in-fstring/
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor(-2.0, requires_grad=True)
y = x ** 3 * 2
print(f"f = {y}")
print(f"f = {y:.2f}")
print(f"value: {y}")
y.backward()
print(f"grad = {x.grad}")
