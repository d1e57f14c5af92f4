# Modeled on: https://discuss.pytorch.org/t/zero-grad-optimizer-or-net/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
model = nn.Linear(2, 1)
opt = optim.SGD(model.parameters(), lr=0.1)
x = torch.tensor([[1.0, 2.0]])
loss = model(x).pow(2).sum()
loss.backward()
print(model.weight.grad)
opt.step()
opt.zero_grad()
print(model.weight.grad)
