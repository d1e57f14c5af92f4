import torch

# jacobian of a function of two inputs: one Jacobian per input, neither a .grad
a = torch.tensor([1., 2.])
b = torch.tensor([3., 4.])
J = torch.autograd.functional.jacobian(lambda u, v: u * v, (a, b))
