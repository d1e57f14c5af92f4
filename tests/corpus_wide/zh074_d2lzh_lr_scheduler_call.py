# Modeled on: https://github.com/d2l-ai/d2l-zh/blob/master/chapter_optimization/lr-scheduler.md
# (written for this corpus after that source's example; not copied)
# Adapted: a small LeNet on random images, 6 epochs; d2l.plot becomes matplotlib.
import math

import torch
from matplotlib import pyplot as plt
from torch import nn
from torch.optim import lr_scheduler

torch.manual_seed(0)


def net_fn():
    return nn.Sequential(
        nn.Conv2d(1, 4, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(4 * 6 * 6, 10))


loss = nn.CrossEntropyLoss()
X_all, y_all = torch.rand(32, 1, 12, 12), torch.randint(0, 10, (32,))


def train(net, num_epochs, trainer, scheduler=None):
    for epoch in range(num_epochs):
        for i in range(0, 32, 16):
            X, y = X_all[i:i + 16], y_all[i:i + 16]
            net.train()
            trainer.zero_grad()
            l = loss(net(X), y)
            l.backward()
            trainer.step()
        if scheduler:
            if scheduler.__module__ == lr_scheduler.__name__:
                scheduler.step()  # PyTorch 自带的调度器
            else:
                for param_group in trainer.param_groups:
                    param_group['lr'] = scheduler(epoch)  # 自定义的调度器
    print(f'train loss {l.item():.3f}, lr {trainer.param_groups[0]["lr"]:.4f}')


class SquareRootScheduler:
    def __init__(self, lr=0.1):
        self.lr = lr

    def __call__(self, num_update):
        return self.lr * pow(num_update + 1.0, -0.5)


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0):
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.warmup_steps = warmup_steps
        self.max_steps = self.max_update - self.warmup_steps

    def __call__(self, epoch):
        if epoch < self.warmup_steps:
            return self.base_lr_orig * float(epoch) / float(self.warmup_steps)
        if epoch <= self.max_update:
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * (
                1 + math.cos(math.pi * (epoch - self.warmup_steps) / self.max_steps)) / 2
        return self.base_lr


num_epochs = 6
scheduler = SquareRootScheduler(lr=0.1)
plt.plot(torch.arange(num_epochs), [scheduler(t) for t in range(num_epochs)])
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
train(net, num_epochs, trainer, scheduler)

net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[2, 4], gamma=0.5)
train(net, num_epochs, trainer, scheduler)

scheduler = CosineScheduler(max_update=5, base_lr=0.3, final_lr=0.01, warmup_steps=2)
print([round(scheduler(t), 4) for t in range(num_epochs)])
