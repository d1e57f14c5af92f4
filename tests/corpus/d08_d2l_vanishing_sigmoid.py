# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_multilayer-perceptrons/numerical-stability-and-init.md
# (written for this corpus after that source's example; not copied)
import torch

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))
print(x.grad[0].item() < 1e-3, x.grad[80].item())
