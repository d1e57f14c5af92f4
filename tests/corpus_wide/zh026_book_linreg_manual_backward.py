# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter3/chapter3.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: IPython's display.clear_output and plt.pause are left out (no notebook here).
import torch as t
from matplotlib import pyplot as plt

device = t.device('cpu')
t.manual_seed(1000)


def get_fake_data(batch_size=8):
    '''y = x*2 + 3 加上噪声'''
    x = t.rand(batch_size, 1, device=device) * 5
    y = x * 2 + 3 + t.randn(batch_size, 1, device=device)
    return x, y


x, y = get_fake_data(batch_size=16)
plt.scatter(x.squeeze().cpu().numpy(), y.squeeze().cpu().numpy())

w = t.rand(1, 1).to(device)
b = t.zeros(1, 1).to(device)
lr = 0.02
for ii in range(300):
    x, y = get_fake_data(batch_size=4)
    y_pred = x.mm(w) + b.expand_as(y)  # forward
    loss = 0.5 * (y_pred - y) ** 2
    loss = loss.mean()
    dloss = 1  # backward：手动求梯度
    dy_pred = dloss * (y_pred - y)
    dw = x.t().mm(dy_pred)
    db = dy_pred.sum()
    w.sub_(lr * dw)  # inplace 更新
    b.sub_(lr * db)
    if ii % 100 == 0:
        x = t.arange(0, 6).float().view(-1, 1)
        print(x.type(), w.type())
        y = x.mm(w) + b.expand_as(x)
        plt.plot(x.cpu().numpy(), y.cpu().numpy())
        x2, y2 = get_fake_data(batch_size=32)
        plt.scatter(x2.numpy(), y2.numpy())
        plt.xlim(0, 5)
        plt.ylim(0, 13)
        plt.show()
print('w: ', w.item(), 'b: ', b.item())
