# Modeled on: https://github.com/fastai/fastbook/blob/master/17_foundations.ipynb
# (written for this corpus after that source's example; not copied)
from math import sqrt

import torch
import torch.nn as nn
from torch.autograd import Function

torch.manual_seed(0)


class MyRelu(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.clamp_min(0.)
        ctx.save_for_backward(i)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        i, = ctx.saved_tensors
        return grad_output * (i > 0).float()


class LinearLayer(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) * sqrt(2 / n_in))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x): return x @ self.weight.t() + self.bias


lin = LinearLayer(10, 2)
p1, p2 = lin.parameters()
print(p1.shape, p2.shape)


def mse(output, targ): return (output.squeeze(-1) - targ).pow(2).mean()


class Model(nn.Module):
    def __init__(self, n_in, nh, n_out):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(n_in, nh), nn.ReLU(), nn.Linear(nh, n_out))
        self.loss = mse

    def forward(self, x, targ): return self.loss(self.layers(x).squeeze(), targ)


x, y = torch.randn(16, 10), torch.randn(16)
model = Model(10, 8, 1)
loss = model(x, y)
loss.backward()
print(loss, model.layers[0].bias.grad)
out = MyRelu.apply(lin(x))
out.sum().backward()
print(lin.bias.grad)
