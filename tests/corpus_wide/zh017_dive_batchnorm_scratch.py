# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter05_CNN/5.10_batch-norm.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: a few Adam steps on random images instead of train_ch5 on Fashion-MNIST.
import time

import torch
import torch.nn.functional as F
from torch import nn, optim

torch.manual_seed(0)
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
print(device)


def batch_norm(is_training, X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if not is_training:  # 预测模式：用移动平均
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:  # 卷积层：按通道求均值和方差，保持形状以便广播
            mean = X.mean(dim=0, keepdim=True).mean(dim=2, keepdim=True).mean(dim=3, keepdim=True)
            var = ((X - mean) ** 2).mean(dim=0, keepdim=True).mean(
                dim=2, keepdim=True).mean(dim=3, keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var
    Y = gamma * X_hat + beta
    return Y, moving_mean, moving_var


class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super(BatchNorm, self).__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.zeros(shape)

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(
            self.training, X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=1e-5, momentum=0.9)
        return Y


class FlattenLayer(nn.Module):
    def forward(self, x):
        return x.view(x.shape[0], -1)


net = nn.Sequential(
    nn.Conv2d(1, 4, 3), BatchNorm(4, num_dims=4), nn.Sigmoid(), nn.MaxPool2d(2, 2),
    FlattenLayer(),
    nn.Linear(4 * 5 * 5, 16), BatchNorm(16, num_dims=2), nn.Sigmoid(),
    nn.Linear(16, 10),
).to(device)
X = torch.rand(8, 1, 12, 12)
y = torch.randint(0, 10, (8,))
optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
start = time.time()
for epoch in range(3):
    l = F.cross_entropy(net(X), y)
    optimizer.zero_grad()
    l.backward()
    optimizer.step()
    print('epoch %d, loss %.4f' % (epoch + 1, l.item()))
print('time measured:', time.time() - start >= 0)
print(net[1].gamma.view((-1,)), net[1].beta.view((-1,)))
net.eval()
print(net(X[:2]).argmax(dim=1))
