# Modeled on: https://pytorch.org/docs/stable/notes/autograd.html
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
for param in model.parameters():
    param.requires_grad = False
model.bias.requires_grad = True
x = torch.randn(3, 4)
out = model(x).sum()
out.backward()
print(model.weight.grad)
print(model.bias.grad)
