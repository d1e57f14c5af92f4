# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_multilayer-perceptrons/mlp.md
# (written for this corpus after that source's example; not copied)
import torch

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.sigmoid(x)
x.grad = None
y.backward(torch.ones_like(x), retain_graph=True)
print(x.grad.max())
