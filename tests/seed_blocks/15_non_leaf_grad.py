# tutorial: Non-leaf gradients are freed unless retain_grad() is called
# Completed: the tutorial gives only the print; w, x, a, b, y and the backward are taken
# from the previous example.
import torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
y.backward()
# a was computed from w and x: it is not a leaf, so backward() passes its gradient
# through to w and x without storing it. a.grad is None (PyTorch also warns);
# call a.retain_grad() before backward() to keep it.
print("a's grad: {}".format(a.grad))
