# Modeled on: https://github.com/fastai/fastbook/blob/master/04_mnist_basics.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: fastbook's plot_function helper is written out with matplotlib.
import matplotlib.pyplot as plt
import torch

torch.manual_seed(42)


def plot_function(f, tx=None, ty=None, title=None, min=-2, max=2, figsize=(6, 4)):
    x = torch.linspace(min, max, 100)
    fig, ax = plt.subplots(figsize=figsize)
    ax.plot(x, f(x))
    if tx is not None: ax.set_xlabel(tx)
    if ty is not None: ax.set_ylabel(ty)
    if title is not None: ax.set_title(title)


def f(x): return x ** 2


plot_function(f, 'x', 'x**2')
plt.scatter(-1.5, f(-1.5), color='red')
xt = torch.tensor(3.).requires_grad_()
yt = f(xt)
yt.backward()
print(xt.grad)


def f(x): return (x ** 2).sum()


xt = torch.tensor([3., 4., 10.]).requires_grad_()
yt = f(xt)
yt.backward()
print(xt.grad)

time = torch.arange(0, 20).float()
speed = torch.randn(20) * 3 + 0.75 * (time - 9.5) ** 2 + 1
plt.scatter(time, speed)


def f(t, params):
    a, b, c = params
    return a * (t ** 2) + (b * t) + c


def mse(preds, targets): return ((preds - targets) ** 2).mean()


params = torch.randn(3).requires_grad_()
orig_params = params.clone()
lr = 1e-5


def show_preds(preds, ax=None):
    if ax is None: ax = plt.subplots()[1]
    ax.scatter(time, speed)
    ax.scatter(time, preds.detach().numpy(), color='red')
    ax.set_ylim(-300, 100)


def apply_step(params, prn=True):
    preds = f(time, params)
    loss = mse(preds, speed)
    loss.backward()
    params.data -= lr * params.grad.data
    params.grad = None
    if prn: print(loss.item())
    return preds


for i in range(10): apply_step(params)
params = orig_params.detach().requires_grad_()
_, axs = plt.subplots(1, 4, figsize=(12, 3))
for ax in axs: show_preds(apply_step(params, False), ax)
plt.tight_layout()
