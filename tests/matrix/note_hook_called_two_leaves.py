import torch

# Two leaves; only w has a hook, and it doubles w's gradient. b must not be named.
w = torch.tensor([1., 2.], requires_grad=True)
b = torch.tensor([0.5, 0.5], requires_grad=True)
w.register_hook(lambda g: g * 2)
((w * 3 + b) ** 2).sum().backward()
