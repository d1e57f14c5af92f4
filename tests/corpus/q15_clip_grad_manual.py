# Modeled on: https://discuss.pytorch.org/t/gradient-clipping/
# (written for this corpus after that source's example; not copied)
import torch

w = torch.tensor([3.0, 4.0], requires_grad=True)
loss = (w ** 3).sum()
loss.backward()
norm = w.grad.norm()
max_norm = 5.0
if norm > max_norm:
    w.grad.mul_(max_norm / norm)
print(w.grad, w.grad.norm())
