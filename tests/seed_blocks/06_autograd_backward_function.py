# tutorial: torch.autograd.backward (the interface: torch.autograd.backward(z) == z.backward())
# Completed: the tutorial states the equivalence in prose; this runs it on the same x, y, z
# as its scalar example.
import torch

x = torch.tensor(1.0, requires_grad=True)
y = torch.tensor(2.0, requires_grad=True)
z = x**2 + y
# The function form of z.backward(): same graph walk, same gradients.
torch.autograd.backward(z)
print(z, x.grad, y.grad)
