# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_linear-regression/synthetic-regression-data.md
# (written for this corpus after that source's example; not copied)
# Adapted: d2l's DataModule and add_to_class (oo-design.md) are written out; the
# hyperparameters are stored by hand instead of d2l's save_hyperparameters (frame inspection).
import random

import torch

random.seed(0)
torch.manual_seed(0)


def add_to_class(Class):
    """Register functions as methods in a class created earlier."""
    def wrapper(obj):
        setattr(Class, obj.__name__, obj)
    return wrapper


class DataModule:
    """The base class of data."""

    def __init__(self, root='../data', num_workers=4):
        self.root = root
        self.num_workers = num_workers

    def get_dataloader(self, train):
        raise NotImplementedError

    def train_dataloader(self):
        return self.get_dataloader(train=True)

    def val_dataloader(self):
        return self.get_dataloader(train=False)


class SyntheticRegressionData(DataModule):
    """Synthetic data for linear regression."""

    def __init__(self, w, b, noise=0.01, num_train=100, num_val=100, batch_size=32):
        super().__init__()
        self.w, self.b, self.num_train, self.num_val = w, b, num_train, num_val
        self.batch_size = batch_size
        n = num_train + num_val
        self.X = torch.randn(n, len(w))
        noise = torch.randn(n, 1) * noise
        self.y = torch.matmul(self.X, w.reshape((-1, 1))) + b + noise


data = SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
print('features:', data.X[0], '\nlabel:', data.y[0])


@add_to_class(SyntheticRegressionData)
def get_dataloader(self, train):
    if train:
        indices = list(range(0, self.num_train))
        random.shuffle(indices)  # examples in random order
    else:
        indices = list(range(self.num_train, self.num_train + self.num_val))
    for i in range(0, len(indices), self.batch_size):
        batch_indices = torch.tensor(indices[i: i + self.batch_size])
        yield self.X[batch_indices], self.y[batch_indices]


X, y = next(iter(data.train_dataloader()))
print('X shape:', X.shape, '\ny shape:', y.shape)


@add_to_class(DataModule)
def get_tensorloader(self, tensors, train, indices=slice(0, None)):
    tensors = tuple(a[indices] for a in tensors)
    dataset = torch.utils.data.TensorDataset(*tensors)
    return torch.utils.data.DataLoader(dataset, self.batch_size, shuffle=train)


@add_to_class(SyntheticRegressionData)
def get_dataloader(self, train):
    i = slice(0, self.num_train) if train else slice(self.num_train, None)
    return self.get_tensorloader((self.X, self.y), train, i)


X, y = next(iter(data.train_dataloader()))
print('X shape:', X.shape, '\ny shape:', y.shape)
print(len(data.train_dataloader()))

w = torch.zeros(2, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for X, y in data.train_dataloader():
    loss = ((X @ w + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        b -= 0.1 * b.grad
        w.grad.zero_()
        b.grad.zero_()
print(w.reshape(-1), b)
