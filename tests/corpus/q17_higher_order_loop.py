# Modeled on: https://discuss.pytorch.org/t/higher-order-derivatives/
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor(1.5, requires_grad=True)
y = torch.sin(x)
derivs = []
g = y
for k in range(3):
    g, = torch.autograd.grad(g, x, create_graph=True)
    derivs.append(round(g.item(), 4))
print(derivs)
