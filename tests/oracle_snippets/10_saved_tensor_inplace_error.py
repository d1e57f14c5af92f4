# Modifying a tensor that backward needs (saved by an earlier operation) breaks backward.
# Ends in an error on purpose (RuntimeError: one of the variables needed for gradient
# computation has been modified by an inplace operation). Fix: b = a * 3 instead of mul_.
import torch

x = torch.tensor([1., 2.], requires_grad=True)
a = x * 2
# a * a saves a, because d(a*a)/da = 2a needs a's value.
b = a * a
# This changes a in place: its version counter goes from 0 to 1.
a.mul_(3)
b.sum().backward()
