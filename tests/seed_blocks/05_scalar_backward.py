# tutorial: torch.autograd.backward
# Restored as written.
import torch

x = torch.tensor(1.0, requires_grad=True)
y = torch.tensor(2.0, requires_grad=True)
z = x**2 + y
# z is a scalar, so backward() needs no argument: dz/dx = 2x = 2, dz/dy = 1.
z.backward()
print(z, x.grad, y.grad)
