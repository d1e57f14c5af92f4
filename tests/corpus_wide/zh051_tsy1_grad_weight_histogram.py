# Modeled on: https://github.com/TingsongYu/PyTorch_Tutorial/blob/master/Code/4_viewer/4_hist_grad_weight.py
# (written for this corpus after that source's example; not copied)
# Adapted: tensorboardX's add_histogram becomes np.histogram printed; CIFAR-10 becomes
# random images in a DataLoader; one short epoch.
from datetime import datetime

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
print(isinstance(datetime.now().year, int))


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 4, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        return self.fc1(x.view(x.size(0), -1))

    def initialize_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                torch.nn.init.xavier_normal_(m.weight.data)
                if m.bias is not None:
                    m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                torch.nn.init.normal_(m.weight.data, 0, 0.01)
                m.bias.data.zero_()


train_loader = DataLoader(TensorDataset(torch.rand(32, 3, 16, 16), torch.randint(0, 10, (32,))),
                          batch_size=16, shuffle=True)
net = Net()
net.initialize_weights()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9, dampening=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=50, gamma=0.1)
for epoch in range(1):
    loss_sigma = 0.0
    for i, (inputs, labels) in enumerate(train_loader):
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        loss_sigma += loss.item()
    scheduler.step()
    # 每个 epoch 看一眼梯度和权值的分布
    for name, layer in net.named_parameters():
        counts, _ = np.histogram(layer.grad.cpu().data.numpy(), bins=5)
        print(name + '_grad', counts.tolist())
        counts, _ = np.histogram(layer.cpu().data.numpy(), bins=5)
        print(name + '_data', counts.tolist())
print('loss sum: {:.4f}'.format(loss_sigma))
