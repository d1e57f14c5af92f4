# Modeled on: https://discuss.pytorch.org/t/conv2d-weight-gradient-shape/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

torch.manual_seed(0)
conv = nn.Conv2d(1, 2, kernel_size=3)
x = torch.randn(1, 1, 5, 5)
out = conv(x).mean()
out.backward()
print(conv.weight.grad.shape, conv.bias.grad)
