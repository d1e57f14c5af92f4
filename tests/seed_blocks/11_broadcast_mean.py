# tutorial: Reducing to a scalar with the mean instead
# Completed: the tutorial gives only `z = z.mean(); z.backward()`, continuing the previous
# example, so x, p, y and z are defined as there.
import torch

x = torch.tensor(3., requires_grad=True)
p = torch.ones(2, 2, requires_grad=True)
y = x*x
z = 2*y + 2*p*p
# The mean divides by the 4 elements, undoing the factor 4 that broadcasting added:
# x.grad = 48 / 4 = 12 and p.grad = 4 / 4 = 1.
z = z.mean()  # the mean of all elements of z
z.backward()
print(x.grad)
print(p.grad)
