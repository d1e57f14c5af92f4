# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter03_DL-basics/3.13_dropout.ipynb
# (written for this corpus after that source's example; not copied)
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:  # 全部丢弃
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < keep_prob).float()
    return mask * X / keep_prob


X = torch.arange(16).view(2, 8)
print(dropout(X, 0))
print(dropout(X, 0.5))
print(dropout(X, 1.0))

num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 20, 4, 16, 16
W1 = torch.tensor(np.random.normal(0, 0.01, size=(num_inputs, num_hiddens1)),
                  dtype=torch.float, requires_grad=True)
b1 = torch.zeros(num_hiddens1, requires_grad=True)
W2 = torch.tensor(np.random.normal(0, 0.01, size=(num_hiddens1, num_hiddens2)),
                  dtype=torch.float, requires_grad=True)
b2 = torch.zeros(num_hiddens2, requires_grad=True)
W3 = torch.tensor(np.random.normal(0, 0.01, size=(num_hiddens2, num_outputs)),
                  dtype=torch.float, requires_grad=True)
b3 = torch.zeros(num_outputs, requires_grad=True)
params = [W1, b1, W2, b2, W3, b3]

drop_prob1, drop_prob2 = 0.2, 0.5


def net(X, is_training=True):
    X = X.view(-1, num_inputs)
    H1 = (torch.matmul(X, W1) + b1).relu()
    if is_training:  # 只在训练时丢弃
        H1 = dropout(H1, drop_prob1)
    H2 = (torch.matmul(H1, W2) + b2).relu()
    if is_training:
        H2 = dropout(H2, drop_prob2)
    return torch.matmul(H2, W3) + b3


loss = torch.nn.CrossEntropyLoss()
features, targets = torch.randn(32, num_inputs), torch.randint(0, num_outputs, (32,))
for step in range(5):
    l = loss(net(features), targets)
    for p in params:
        p.grad = None
    l.backward()
    for p in params:
        p.data -= 0.5 * p.grad
    print(step, round(l.item(), 4))

net2 = nn.Sequential(
    nn.Flatten(),
    nn.Linear(num_inputs, num_hiddens1), nn.ReLU(), nn.Dropout(drop_prob1),
    nn.Linear(num_hiddens1, num_hiddens2), nn.ReLU(), nn.Dropout(drop_prob2),
    nn.Linear(num_hiddens2, num_outputs),
)
for param in net2.parameters():
    nn.init.normal_(param, mean=0, std=0.01)
optimizer = torch.optim.SGD(net2.parameters(), lr=0.5)
l2 = loss(net2(features), targets)
optimizer.zero_grad()
l2.backward()
optimizer.step()
net2.eval()
print(net2(features[:2]))
