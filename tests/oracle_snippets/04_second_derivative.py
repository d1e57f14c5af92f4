# create_graph=True makes the gradient itself differentiable: a second derivative.
import torch

x = torch.tensor(2., requires_grad=True)
y = x ** 3
# dy/dx = 3x^2 = 12, kept as part of a graph because of create_graph=True.
dy = torch.autograd.grad(y, x, create_graph=True)[0]
print(dy)
# d2y/dx2 = 6x = 12, stored in x.grad by backward.
dy.backward()
print(x.grad)
