# Modeled on: https://github.com/L1aoXingyu/code-of-learn-deep-learning-with-pytorch/blob/master/chapter4_CNN/batch-normalization.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the MNIST training loop is replaced by a few steps on random data.
import torch
from torch import nn

torch.manual_seed(0)


def simple_batch_norm_1d(x, gamma, beta):
    eps = 1e-5
    x_mean = torch.mean(x, dim=0, keepdim=True)  # 保留维度以便广播
    x_var = torch.mean((x - x_mean) ** 2, dim=0, keepdim=True)
    x_hat = (x - x_mean) / torch.sqrt(x_var + eps)
    return gamma.view_as(x_mean) * x_hat + beta.view_as(x_mean)


x = torch.arange(15).view(5, 3).float()
gamma = torch.ones(x.shape[1])
beta = torch.zeros(x.shape[1])
print('before bn: ')
print(x)
y = simple_batch_norm_1d(x, gamma, beta)
print('after bn: ')
print(y)


def batch_norm_1d(x, gamma, beta, is_training, moving_mean, moving_var, moving_momentum=0.1):
    eps = 1e-5
    x_mean = torch.mean(x, dim=0, keepdim=True)
    x_var = torch.mean((x - x_mean) ** 2, dim=0, keepdim=True)
    if is_training:
        x_hat = (x - x_mean) / torch.sqrt(x_var + eps)
        moving_mean[:] = moving_momentum * moving_mean + (1. - moving_momentum) * x_mean
        moving_var[:] = moving_momentum * moving_var + (1. - moving_momentum) * x_var
    else:
        x_hat = (x - moving_mean) / torch.sqrt(moving_var + eps)
    return gamma.view_as(x_mean) * x_hat + beta.view_as(x_mean)


class multi_network(nn.Module):
    def __init__(self):
        super(multi_network, self).__init__()
        self.layer1 = nn.Linear(16, 8)
        self.relu = nn.ReLU(True)
        self.layer2 = nn.Linear(8, 4)
        self.gamma = nn.Parameter(torch.randn(8))
        self.beta = nn.Parameter(torch.randn(8))
        self.moving_mean = torch.zeros(8)
        self.moving_var = torch.zeros(8)

    def forward(self, x, is_train=True):
        x = self.layer1(x)
        x = batch_norm_1d(x, self.gamma, self.beta, is_train,
                          self.moving_mean, self.moving_var)
        x = self.relu(x)
        return self.layer2(x)


net = multi_network()
optimizer = torch.optim.SGD(net.parameters(), 1e-1)
criterion = nn.CrossEntropyLoss()
data, labels = torch.randn(32, 16), torch.randint(0, 4, (32,))
for e in range(5):
    loss = criterion(net(data), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(e, round(loss.item(), 4))
print(net.moving_mean[:4])
print(net(data[:2], is_train=False))
