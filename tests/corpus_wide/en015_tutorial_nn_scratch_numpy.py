# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/nn_tutorial.py
# (written for this corpus after that source's example; not copied)
# Adapted: the MNIST pickle (requests + gzip + pickle) becomes numpy arrays made in code.
import math

import numpy as np
import torch
from matplotlib import pyplot

# stands in for the pickled MNIST arrays the tutorial downloads
rng = np.random.RandomState(0)
x_train = rng.rand(256, 784).astype(np.float32)
y_train = rng.randint(0, 10, 256).astype(np.int64)
x_valid = rng.rand(128, 784).astype(np.float32)
y_valid = rng.randint(0, 10, 128).astype(np.int64)
pyplot.imshow(x_train[0].reshape((28, 28)), cmap="gray")
print(x_train.shape)

x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
n, c = x_train.shape
print(x_train.shape)
print(y_train.min(), y_train.max())

torch.manual_seed(0)
weights = torch.randn(784, 10) / math.sqrt(784)  # Xavier-style init, then track grads
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


bs = 64
xb = x_train[0:bs]
preds = model(xb)
print(preds[0], preds.shape)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


loss_func = nll
yb = y_train[0:bs]
print(loss_func(preds, yb))


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


print(accuracy(preds, yb))
lr = 0.5
epochs = 2
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print(loss_func(model(xb), yb), accuracy(model(xb), yb))
