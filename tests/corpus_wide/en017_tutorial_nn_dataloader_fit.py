# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/nn_tutorial.py
# (written for this corpus after that source's example; not copied)
# Adapted: the MNIST pickle becomes numpy arrays made in code.
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

# stands in for the pickled MNIST arrays the tutorial downloads
rng = np.random.RandomState(0)
x_train = rng.rand(256, 784).astype(np.float32)
y_train = rng.randint(0, 10, 256).astype(np.int64)
x_valid = rng.rand(128, 784).astype(np.float32)
y_valid = rng.randint(0, 10, 128).astype(np.int64)
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
torch.manual_seed(0)
loss_func = F.cross_entropy
bs, lr, epochs = 64, 0.5, 2
train_ds = TensorDataset(x_train, y_train)
xb, yb = train_ds[0:bs]
print(xb.shape, yb.shape)


def get_model():
    model = nn.Linear(784, 10)
    return model, optim.SGD(model.parameters(), lr=lr)


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)


def get_data(train_ds, valid_ds, bs):
    return (DataLoader(train_ds, batch_size=bs, shuffle=True),
            DataLoader(valid_ds, batch_size=bs * 2))


valid_ds = TensorDataset(x_valid, y_valid)
train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model, opt = get_model()
fit(epochs, model, loss_func, opt, train_dl, valid_dl)

model, opt = get_model()  # the validation loop written out, as before fit()
for epoch in range(epochs):
    model.train()
    for xb, yb in train_dl:
        loss = loss_func(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()
    with torch.no_grad():
        valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)
    print(epoch, valid_loss / len(valid_dl))
