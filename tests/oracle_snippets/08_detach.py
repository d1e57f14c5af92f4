# detach() gives a tensor that shares data but is cut off from the graph:
# gradients do not flow through it, it is treated as a constant.
import torch

x = torch.tensor([1., 2., 3.], requires_grad=True)
y = x * x
# Only the second factor is differentiated: d(c * x)/dx = c = x^2 = [1, 4, 9],
# not d(x^3)/dx = 3x^2.
z = y.detach() * x
z.sum().backward()
print(x.grad)
print(y.detach().requires_grad, y.detach().is_leaf)
