# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_autograd/polynomial_autograd.py
# (written for this corpus after that source's example; not copied)
import torch

use = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"running on {use}")
torch.set_default_device(use)
w = torch.randn((), requires_grad=True)
loss = (w * 3 - 1) ** 2
loss.backward()
print(w.grad)
try:
    w.grad = 0.
except TypeError as e:
    print("grad must be a tensor or None")
