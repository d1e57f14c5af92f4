# Modeled on: https://github.com/corleytd/PyTorchBasic/blob/master/codes/1_basic/logistic_regression.py
# (written for this corpus after that source's example; not copied)
# Adapted: plt.pause is left out and the figure is drawn every 100 iterations.
import numpy as np
import torch
from matplotlib import pyplot as plt
from torch import nn

torch.manual_seed(65537)
sample_num = 60
mean_value = 1.7
bias = -1
n_data = torch.ones(sample_num, 2)
x0 = torch.normal(mean_value * n_data, 1) + bias  # 类别 0
y0 = torch.zeros(sample_num)
x1 = torch.normal(-mean_value * n_data, 1) + bias  # 类别 1
y1 = torch.ones(sample_num)
x = torch.cat([x0, x1], 0)
y = torch.cat([y0, y1], 0)


class LR(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Linear(2, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.features(x))


lr_net = LR()
loss_fn = nn.BCELoss()
optimizer = torch.optim.SGD(lr_net.parameters(), lr=0.01, momentum=0.9)
for iteration in range(300):
    y_pred = lr_net(x)
    loss = loss_fn(y_pred.squeeze(), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if iteration % 100 == 0:
        mask = y_pred.ge(0.5).float().squeeze()  # 以 0.5 为阈值分类
        acc = (mask == y).sum().item() / y.size(0)
        plt.scatter(x0.data.numpy()[:, 0], x0.data.numpy()[:, 1], c='r', label='class 0')
        plt.scatter(x1.data.numpy()[:, 0], x1.data.numpy()[:, 1], c='b', label='class 1')
        w0, w1 = lr_net.features.weight[0]
        w0, w1 = w0.item(), w1.item()
        plot_b = lr_net.features.bias[0].item()
        plot_x = np.arange(-6, 6, 0.1)
        plt.plot(plot_x, (-w0 * plot_x - plot_b) / w1)
        plt.text(-4.5, 5, 'Loss=%.4f' % loss.item(), fontdict={'size': 20, 'color': 'red'})
        plt.title('Iteration: {}\nw0: {:.2f} w1: {:.2f} b: {:.2f} accuracy: {:.2f}'.format(
            iteration, w0, w1, plot_b, acc))
        plt.legend()
        plt.show()
        print(iteration, round(acc, 3))
        if acc > 0.99:
            break
