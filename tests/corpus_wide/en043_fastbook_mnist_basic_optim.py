# Modeled on: https://github.com/fastai/fastbook/blob/master/04_mnist_basics.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the 3s and 7s of MNIST_SAMPLE (a download) become two random point clouds.
import torch
from torch.utils.data import DataLoader

torch.manual_seed(42)
threes = torch.rand(60, 28 * 28) * 0.5
sevens = torch.rand(60, 28 * 28) * 0.5 + 0.3
train_x = torch.cat([threes, sevens])
train_y = torch.tensor([1] * len(threes) + [0] * len(sevens)).unsqueeze(1)
dset = list(zip(train_x, train_y))
x, y = dset[0]
print(x.shape, y)
valid_dset = dset[::6]


def init_params(size, std=1.0): return (torch.randn(size) * std).requires_grad_()


weights = init_params((28 * 28, 1))
bias = init_params(1)


def linear1(xb): return xb @ weights + bias


def mnist_loss(predictions, targets):
    predictions = predictions.sigmoid()
    return torch.where(targets == 1, 1 - predictions, predictions).mean()


def calc_grad(xb, yb, model):
    preds = model(xb)
    loss = mnist_loss(preds, yb)
    loss.backward()


def batch_accuracy(xb, yb):
    preds = xb.sigmoid()
    correct = (preds > 0.5) == yb
    return correct.float().mean()


dl = DataLoader(dset, batch_size=16, shuffle=True)
valid_dl = DataLoader(valid_dset, batch_size=16)
xb, yb = next(iter(dl))
print(xb.shape, yb.shape)
calc_grad(xb, yb, linear1)
print(weights.grad.mean(), bias.grad)
weights.grad.zero_()
bias.grad.zero_()


def train_epoch(model, lr, params):
    for xb, yb in dl:
        calc_grad(xb, yb, model)
        for p in params:
            p.data -= p.grad * lr
            p.grad.zero_()


def validate_epoch(model):
    accs = [batch_accuracy(model(xb), yb) for xb, yb in valid_dl]
    return round(torch.stack(accs).mean().item(), 4)


lr = 1.
params = weights, bias
for i in range(3):
    train_epoch(linear1, lr, params)
    print(validate_epoch(linear1), end=' ')
print()


class BasicOptim:
    def __init__(self, params, lr): self.params, self.lr = list(params), lr

    def step(self, *args, **kwargs):
        for p in self.params: p.data -= p.grad.data * self.lr

    def zero_grad(self, *args, **kwargs):
        for p in self.params: p.grad = None


linear_model = torch.nn.Linear(28 * 28, 1)
w, b = linear_model.parameters()
print(w.shape, b.shape)
opt = BasicOptim(linear_model.parameters(), lr)
for i in range(3):
    for xb, yb in dl:
        calc_grad(xb, yb, linear_model)
        opt.step()
        opt.zero_grad()
    print(validate_epoch(linear_model), end=' ')
print()
