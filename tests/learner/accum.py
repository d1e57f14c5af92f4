# tutorial: The retain_graph=True parameter
# Restored as written.
import torch

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
# No backward has run yet, so there is no gradient.
print(x.grad)
# print(y)  # all 3s
# print(z)  # all 27s
# Keep the graph: the next line goes backward through z again.
out.backward(retain_graph=True)
# d(out)/dx = 6 * (x + 2) / 4 = 4.5
print(x.grad)
# Backward again, through z directly: dz/dx = 6 * (x + 2) = 18 per element.
z.backward(torch.ones_like(z))
# Gradients accumulate: 4.5 + 18 = 22.5, not 18.
print(x.grad)
