# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_tensor/polynomial_numpy.py
# (written for this corpus after that source's example; not copied)
# Adapted: the same fit is then redone with autograd to compare the gradients.
import math

import numpy as np
import torch

np.random.seed(0)
x = np.linspace(-math.pi, math.pi, 200)
y = np.sin(x)
a, b, c, d = np.random.randn(), np.random.randn(), np.random.randn(), np.random.randn()
learning_rate = 1e-5
for t in range(500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = np.square(y_pred - y).sum()
    if t % 100 == 99:
        print(t, loss)
    grad_y_pred = 2.0 * (y_pred - y)  # the chain rule by hand
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d
print(f'Result: y = {a} + {b} x + {c} x^2 + {d} x^3')

xt = torch.from_numpy(x)
params = torch.tensor([a, b, c, d], dtype=torch.float64, requires_grad=True)
y_pred = params[0] + params[1] * xt + params[2] * xt ** 2 + params[3] * xt ** 3
loss = (y_pred - torch.from_numpy(y)).pow(2).sum()
loss.backward()
manual = 2.0 * (a + b * x + c * x ** 2 + d * x ** 3 - y)
print(np.allclose(params.grad.numpy(), [manual.sum(), (manual * x).sum(),
                                        (manual * x ** 2).sum(), (manual * x ** 3).sum()]))
