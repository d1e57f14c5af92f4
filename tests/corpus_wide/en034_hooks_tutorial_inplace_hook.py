# Modeled on: https://github.com/elliotwaite/pytorch-hooks-tutorial/blob/master/1_tensor_hooks/5_hook_with_in_place_operation.py
# (written for this corpus after that source's example; not copied)
import torch

a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
c = a * b
c.retain_grad()
d = torch.tensor(4.0, requires_grad=True)


def d_hook(grad):
    grad *= 100  # changes the gradient in place instead of returning a new one


d.register_hook(d_hook)
e = c + d
e.retain_grad()
e.backward()
print(f'a.grad {a.grad}')
print(f'b.grad {b.grad}')
print(f'c.grad {c.grad}')
print(f'd.grad {d.grad}')
print(f'e.grad {e.grad}')
