# Modeled on: https://github.com/zergtant/pytorch-handbook/blob/master/chapter2/2.2-deep-learning-basic-mathematics.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: seaborn's lmplot and the pandas frame become a matplotlib scatter; 400 epochs.
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.nn import Linear, MSELoss
from torch.optim import SGD

torch.manual_seed(0)
np.random.seed(0)
x = np.linspace(0, 20, 500)
y = 5 * x + 7
plt.plot(x, y)

x = np.random.rand(256)
noise = np.random.randn(256) / 4
y = x * 5 + 7 + noise
plt.scatter(x, y)

model = Linear(1, 1)
criterion = MSELoss()
optim = SGD(model.parameters(), lr=0.01)
x_train = x.reshape(-1, 1).astype('float32')
y_train = y.reshape(-1, 1).astype('float32')
for i in range(400):
    inputs = torch.from_numpy(x_train)  # 必须是 torch 的 Tensor
    labels = torch.from_numpy(y_train)
    outputs = model(inputs)
    optim.zero_grad()  # 梯度置 0，否则会累加
    loss = criterion(outputs, labels)
    loss.backward()
    optim.step()
    if i % 100 == 0:
        print('epoch {}, loss {:1.4f}'.format(i, loss.data.item()))
[w, b] = model.parameters()
print(w.item(), b.item())
predicted = model.forward(torch.from_numpy(x_train)).data.numpy()
plt.plot(x_train, y_train, 'go', label='data', alpha=0.3)
plt.plot(x_train, predicted, label='predicted', alpha=1)
plt.legend()
plt.show()
print(5 - w.data.item(), 7 - b.data.item())
