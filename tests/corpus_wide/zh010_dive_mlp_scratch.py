# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter03_DL-basics/3.9_mlp-scratch.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: random data in a DataLoader instead of Fashion-MNIST; train_ch3 written out.
import numpy as np
import torch

torch.manual_seed(0)
np.random.seed(0)

data = torch.utils.data.TensorDataset(torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,)))
train_iter = torch.utils.data.DataLoader(data, batch_size=16, shuffle=True)

num_inputs, num_outputs, num_hiddens = 784, 10, 32
W1 = torch.tensor(np.random.normal(0, 0.01, (num_inputs, num_hiddens)), dtype=torch.float)
b1 = torch.zeros(num_hiddens, dtype=torch.float)
W2 = torch.tensor(np.random.normal(0, 0.01, (num_hiddens, num_outputs)), dtype=torch.float)
b2 = torch.zeros(num_outputs, dtype=torch.float)
params = [W1, b1, W2, b2]
for param in params:
    param.requires_grad_(requires_grad=True)


def relu(X):
    return torch.max(input=X, other=torch.tensor(0.0))


def net(X):
    X = X.view((-1, num_inputs))
    H = relu(torch.matmul(X, W1) + b1)
    return torch.matmul(H, W2) + b2


loss = torch.nn.CrossEntropyLoss()
num_epochs, lr = 2, 100.0
for epoch in range(num_epochs):
    total, n = 0.0, 0
    for X, y in train_iter:
        l = loss(net(X), y).sum()
        for param in params:
            if param.grad is not None:
                param.grad.data.zero_()
        l.backward()
        for param in params:
            param.data -= lr * param.grad / 16
        total += l.item()
        n += y.shape[0]
    print('epoch %d, loss %.4f' % (epoch + 1, total / n))
