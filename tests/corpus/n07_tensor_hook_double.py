# Modeled on: https://pytorch.org/docs/stable/notes/autograd.html
# (written for this corpus after that source's example; not copied)
import torch

v = torch.tensor([0., 0., 0.], requires_grad=True)
h = v.register_hook(lambda grad: grad * 2)
v.backward(torch.tensor([1., 2., 3.]))
print(v.grad)
h.remove()
