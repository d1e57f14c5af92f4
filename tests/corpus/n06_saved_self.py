# Modeled on: https://pytorch.org/docs/stable/notes/autograd.html
# (written for this corpus after that source's example; not copied)
import torch

x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(y.grad_fn._saved_self.equal(x))
print(y.grad_fn._saved_self is x)
print(y.grad_fn._saved_exponent)
z = x.exp()
print(z.grad_fn._saved_result.equal(z))
print(z.grad_fn._saved_result is z)
