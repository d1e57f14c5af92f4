# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_optimization/momentum.md
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([-5.0, -2.0], requires_grad=True)
v = torch.zeros(2)
eta, beta = 0.4, 0.5
for i in range(20):
    f = 0.1 * x[0] ** 2 + 2 * x[1] ** 2
    f.backward()
    with torch.no_grad():
        v = beta * v + x.grad
        x -= eta * v
    x.grad.zero_()
print(f'x: {x.tolist()}')
