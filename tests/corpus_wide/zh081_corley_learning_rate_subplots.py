# Modeled on: https://github.com/corleytd/PyTorchBasic/blob/master/codes/4_lr_loss_optim/learning_rate.py
# (written for this corpus after that source's example; not copied)
import matplotlib.pyplot as plt
import numpy as np
import torch


def func(x_t):
    '''y = 4*x^2, dy/dx = 8x'''
    return 4 * torch.pow(x_t, 2)


x = torch.tensor([2.], requires_grad=True)
iters, losses, xes = [], [], []
lr = 0.125
for i in range(8):
    y = func(x)
    y.backward()
    print(f'Iter:{i}, x:{x.item():8}, x.grad:{x.grad.item():8}, loss:{y.item():10}')
    iters.append(i)
    xes.append(x.item())
    losses.append(y.item())
    x.data.sub_(lr * x.grad)
    x.grad.zero_()

plt.subplot(121).plot(iters, losses, '-ro')
plt.xlabel('Iteration')
plt.ylabel('Loss')
x_t = torch.linspace(-3, 3, 100)
plt.subplot(122).plot(x_t.numpy(), func(x_t).numpy(), label='y = 4*x^2')
plt.grid()
plt.subplot(122).plot(xes, [func(torch.tensor(i)).item() for i in xes], '-ro')
plt.legend()
plt.show()

# 多个学习率对比
lr_list = np.linspace(0.01, 0.2, num=5)
all_losses = [[] for _ in range(5)]
for idx, lr in enumerate(lr_list):
    x = torch.tensor([2.], requires_grad=True)
    for i in range(30):
        y = func(x)
        y.backward()
        x.data.sub_(lr * x.grad)
        x.grad.zero_()
        all_losses[idx].append(y.item())
for idx, loss in enumerate(all_losses):
    plt.plot(range(len(loss)), loss, label=f'LR: {lr_list[idx]:.4f}')
plt.legend()
print([round(l[-1], 6) for l in all_losses])
