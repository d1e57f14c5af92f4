# torch.autograd.grad returns the gradients instead of storing them in .grad.
import torch

x = torch.tensor([1., 2., 3.], requires_grad=True)
w = torch.tensor([0.5, 0.25, 2.], requires_grad=True)
y = (w * x ** 2).sum()
# One result per input, in the order given.
gx, gw = torch.autograd.grad(y, [x, w])
# dy/dx = 2wx = [1, 1, 12]; dy/dw = x^2 = [1, 4, 9]
print(gx)
print(gw)
# .grad was not touched: it is still None for both leaves.
print(x.grad, w.grad)
