# Modeled on: https://discuss.pytorch.org/t/difference-between-detach-and-with-torch-nograd-in-pytorch/
# (written for this corpus after that source's example; not copied)
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
out = a.sigmoid()
c = out.detach()
print(c.requires_grad)
d = out.data
print(d.requires_grad, d.is_leaf)
print(out.grad_fn.name())
