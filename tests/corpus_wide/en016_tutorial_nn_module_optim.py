# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/nn_tutorial.py
# (written for this corpus after that source's example; not copied)
# Adapted: the MNIST pickle becomes numpy arrays made in code.
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim

# stands in for the pickled MNIST arrays the tutorial downloads
rng = np.random.RandomState(0)
x_train = rng.rand(256, 784).astype(np.float32)
y_train = rng.randint(0, 10, 256).astype(np.int64)
x_valid = rng.rand(128, 784).astype(np.float32)
y_valid = rng.randint(0, 10, 128).astype(np.int64)
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
n, c = x_train.shape
torch.manual_seed(0)
loss_func = F.cross_entropy
bs, lr, epochs = 64, 0.5, 2


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(784, 10) / math.sqrt(784))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = Mnist_Logistic()
xb, yb = x_train[0:bs], y_train[0:bs]
print(loss_func(model(xb), yb))


def fit():
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            pred = model(x_train[start_i:end_i])
            loss = loss_func(pred, y_train[start_i:end_i])
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()


fit()
print(loss_func(model(xb), yb))


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(784, 10)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    model = Mnist_Logistic()
    return model, optim.SGD(model.parameters(), lr=lr)


model, opt = get_model()
print(loss_func(model(xb), yb))
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        loss = loss_func(model(x_train[start_i:end_i]), y_train[start_i:end_i])
        loss.backward()
        opt.step()
        opt.zero_grad()
print(loss_func(model(xb), yb))
