# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter07_optimization/7.2_gd-sgd.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: d2lzh_pytorch's plotting helpers inlined; the derivative checked with autograd.
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

np.random.seed(0)


def gd(eta):
    x = 10
    results = [x]
    for i in range(10):
        x -= eta * 2 * x  # f(x) = x*x 的导数是 2x
        results.append(x)
    print('epoch 10, x:', x)
    return results


def show_trace(res):
    n = max(abs(min(res)), abs(max(res)), 10)
    f_line = np.arange(-n, n, 0.1)
    plt.plot(f_line, [x * x for x in f_line])
    plt.plot(res, [x * x for x in res], '-o')
    plt.xlabel('x')
    plt.ylabel('f(x)')


show_trace(gd(0.2))
show_trace(gd(0.05))
show_trace(gd(1.1))

# 用 autograd 验证导数 2x
x = torch.tensor(10.0, requires_grad=True)
(x * x).backward()
print(x.grad, math.isclose(x.grad.item(), 20.0))


def train_2d(trainer):
    x1, x2, s1, s2 = -5, -2, 0, 0
    results = [(x1, x2)]
    for i in range(20):
        x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    print('epoch %d, x1 %f, x2 %f' % (i + 1, x1, x2))
    return results


def show_trace_2d(f, results):
    plt.plot(*zip(*results), '-o', color='#ff7f0e')
    x1, x2 = np.meshgrid(np.arange(-5.5, 1.0, 0.1), np.arange(-3.0, 1.0, 0.1))
    plt.contour(x1, x2, f(x1, x2), colors='#1f77b4')
    plt.xlabel('x1')
    plt.ylabel('x2')


eta = 0.1


def f_2d(x1, x2):
    return x1 ** 2 + 2 * x2 ** 2


def gd_2d(x1, x2, s1, s2):
    return (x1 - eta * 2 * x1, x2 - eta * 4 * x2, 0, 0)


def sgd_2d(x1, x2, s1, s2):
    return (x1 - eta * (2 * x1 + np.random.normal(0.1)),
            x2 - eta * (4 * x2 + np.random.normal(0.1)), 0, 0)


show_trace_2d(f_2d, train_2d(gd_2d))
show_trace_2d(f_2d, train_2d(sgd_2d))
