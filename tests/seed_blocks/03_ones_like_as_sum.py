# tutorial: torch.ones_like and torch.zeros_like (the z.backward(torch.ones_like(z)) remark)
# Completed: the tutorial gives only `z.backward(torch.ones_like(z))`; x and z are taken
# from its later grad_tensors example (x = torch.ones(2, requires_grad=True); z = x + 2).
import torch

x = torch.ones(2, requires_grad=True)
z = x + 2
# z is a vector, so backward() needs a gradient of z's shape. Passing ones is
# the same as differentiating z.sum(): every element of z gets weight 1.
z.backward(torch.ones_like(z))
print(x.grad)
