# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter07_optimization/7.5_adagrad.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the airfoil data is made in code; train_ch7 written out without the plot.
import math

import torch

torch.manual_seed(0)


def adagrad_2d(x1, x2, s1, s2):
    g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
    s1 += g1 ** 2
    s2 += g2 ** 2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2


def train_2d(trainer):
    x1, x2, s1, s2 = -5, -2, 0, 0
    for i in range(20):
        x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
    print('epoch %d, x1 %f, x2 %f' % (i + 1, x1, x2))


eta = 0.4
train_2d(adagrad_2d)
eta = 2
train_2d(adagrad_2d)

features = torch.randn(200, 5)
labels = features @ torch.tensor([1.0, -2.0, 0.5, 0.0, 3.0]) + 0.1 * torch.randn(200)


def init_adagrad_states():
    s_w = torch.zeros((features.shape[1], 1), dtype=torch.float32)
    s_b = torch.zeros(1, dtype=torch.float32)
    return (s_w, s_b)


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        s.data += (p.grad.data ** 2)
        p.data -= hyperparams['lr'] * p.grad.data / torch.sqrt(s + eps)


w = torch.nn.Parameter(torch.zeros(5, 1))
b = torch.nn.Parameter(torch.zeros(1))
states = init_adagrad_states()
for epoch in range(2):
    for i in range(0, 200, 20):
        X, y = features[i:i + 20], labels[i:i + 20]
        l = ((torch.mm(X, w) + b - y.view(-1, 1)) ** 2 / 2).mean()
        if w.grad is not None:
            w.grad.data.zero_()
            b.grad.data.zero_()
        l.backward()
        adagrad([w, b], states, {'lr': 0.1})
    print('epoch', epoch + 1, 'loss', round(l.item(), 5))
print(w.view(-1))
