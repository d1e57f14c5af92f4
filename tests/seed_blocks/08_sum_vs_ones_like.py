# tutorial: grad_tensors: z.backward(torch.ones_like(x))
# Restored as written (the commented-out lines are the tutorial's own).
import torch

x = torch.ones(2, 3, requires_grad=True)
z = 2*x + 2
print(z)
print(z.sum())
# print(z.*torch.ones_like(x))
# Reduce z to a scalar first; z.backward(torch.ones_like(x)) gives the same result,
# because summing is the same as weighting every element by 1.
z.sum().backward()  # or z.backward(torch.ones_like(x)): same effect
print(x.grad)
