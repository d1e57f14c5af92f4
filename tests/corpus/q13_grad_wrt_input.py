# Modeled on: https://discuss.pytorch.org/t/how-to-get-gradient-with-respect-to-input/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

torch.manual_seed(0)
net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
x = torch.randn(2, 3, requires_grad=True)
y = net(x).sum()
y.backward()
print(x.grad.shape)
net.eval()
print(net.training)
