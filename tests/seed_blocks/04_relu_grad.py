# tutorial: y.backward(torch.ones_like(x), retain_graph=True)
# Completed: the tutorial gives only the backward line and a d2l.plot call (from the
# d2l book's ReLU example). x and y are defined as in d2l; the plot is replaced by a print.
import torch

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.relu(x)
# y has the same shape as x, so ones_like(x) works as the gradient here:
# it weights every element of y by 1 (the same as y.sum().backward()).
# retain_graph=True keeps the graph so backward could run again; here it is not needed.
y.backward(torch.ones_like(x), retain_graph=True)
# d2l.plot(x.detach(), x.grad, 'x', 'grad of relu', figsize=(5, 2.5))
# The derivative of relu: 0 where x <= 0, 1 where x > 0.
print(x.grad)
