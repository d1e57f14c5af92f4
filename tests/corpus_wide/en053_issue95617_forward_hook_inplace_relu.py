# Modeled on: https://github.com/pytorch/pytorch/issues/95617
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

x = torch.tensor([1.23, -4.56])
m = nn.ReLU(inplace=True)


def my_hook(m, input, output):
    print('hook', m, input, output)  # the input is already changed in place


def my_pre_hook(m, input):
    print('pre hook', m, input)


m.register_forward_pre_hook(my_pre_hook)
m.register_forward_hook(my_hook)
print(m(x))

w = torch.tensor([1.0, -2.0], requires_grad=True)
m2 = nn.ReLU()
m2.register_forward_hook(my_hook)
out = m2(w * 2)
out.sum().backward()
print(w.grad)
