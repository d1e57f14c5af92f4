# tutorial: An even more complex example
# Restored as written (the commented-out alternative is the tutorial's own).
import torch

x = torch.tensor(3., requires_grad=True)
p = torch.ones(2, 2, requires_grad=True)
y = x*x
# y is a scalar; adding it to the (2, 2) tensor 2*p*p broadcasts it to all 4 places.
z = 2*y + 2*p*p
# [
# [1,1],
# [1,1]
# ]
z.backward(torch.ones_like(z))
# # z = z.sum()  # same as torch.sum(z) below: the sum of all elements of z
# z = torch.sum(z)
# z.backward()
# x was used in all 4 places, so its gradient is the sum of 4 * 2x = 4 * 12 = 48.
print(x.grad)
# Each p[i, j] was used once: d(2p^2)/dp = 4p = 4.
print(p.grad)
# print(y.grad)  # y is not a leaf: backward() does not keep its gradient
