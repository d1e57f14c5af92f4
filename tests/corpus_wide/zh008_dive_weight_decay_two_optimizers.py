# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter03_DL-basics/3.12_weight-decay.ipynb
# (written for this corpus after that source's example; not copied)
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)

n_train, num_inputs = 20, 50
true_w, true_b = torch.ones(num_inputs, 1) * 0.01, 0.05
train_features = torch.randn((n_train, num_inputs))
train_labels = torch.matmul(train_features, true_w) + true_b
train_labels += torch.tensor(np.random.normal(0, 0.01, size=train_labels.size()),
                             dtype=torch.float)
loss = nn.MSELoss(reduction='none')
dataset = torch.utils.data.TensorDataset(train_features, train_labels)
train_iter = torch.utils.data.DataLoader(dataset, 5, shuffle=True)


def fit(wd, num_epochs=5, lr=0.003):
    net = nn.Linear(num_inputs, 1)
    nn.init.normal_(net.weight, mean=0, std=1)
    nn.init.normal_(net.bias, mean=0, std=1)
    # 只对权重做衰减，偏差不衰减
    optimizer_w = torch.optim.SGD(params=[net.weight], lr=lr, weight_decay=wd)
    optimizer_b = torch.optim.SGD(params=[net.bias], lr=lr)
    for _ in range(num_epochs):
        for X, y in train_iter:
            l = loss(net(X), y).mean()
            optimizer_w.zero_grad()
            optimizer_b.zero_grad()
            l.backward()
            optimizer_w.step()  # 两个优化器分别更新
            optimizer_b.step()
    print('L2 norm of w:', net.weight.data.norm().item())
    return net


net0 = fit(0)
net3 = fit(3)
