# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_multilayer-perceptrons/mlp.md
# (written for this corpus after that source's example; not copied)
import torch

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.tanh(x)
if x.grad is not None:
    x.grad.data.zero_()
y.backward(torch.ones_like(x), retain_graph=True)
print(round(x.grad.max().item(), 4))
