# Modeled on: https://pytorch.org/docs/stable/notes/autograd.html
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * 2).sum()
print(y.grad_fn)
print(y.grad_fn.name())
print(len(y.grad_fn.next_functions))
print(y.grad_fn.next_functions[0][0].name())
