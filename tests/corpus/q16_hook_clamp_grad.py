# Modeled on: https://discuss.pytorch.org/t/clamp-gradients-with-hooks/
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
h = x.register_hook(lambda g: g.clamp(-1, 1))
y = (x * torch.tensor([5.0, 0.5, -3.0])).sum()
y.backward()
print(x.grad)
h.remove()
