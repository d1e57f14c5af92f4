# Modeled on: https://github.com/zergtant/pytorch-handbook/blob/master/chapter2/2.1.3-pytorch-basics-nerual-network.ipynb
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()  # 先执行父类的构造函数
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.fc1 = nn.Linear(4 * 7 * 7, 10)

    def forward(self, x):
        print(x.size())
        x = self.conv1(x)
        x = F.relu(x)
        print(x.size())
        x = F.max_pool2d(x, (2, 2))
        x = F.relu(x)
        print(x.size())
        x = x.view(x.size()[0], -1)  # 压扁
        print(x.size())
        return self.fc1(x)


net = Net()
print(net)
for name, parameters in net.named_parameters():
    print(name, ':', parameters.size())

input = torch.randn(1, 1, 16, 16)
out = net(input)
print(out.size())
net.zero_grad()
out.backward(torch.ones(1, 10))  # 反向传播
print(net.fc1.bias.grad)

y = torch.arange(0, 10).view(1, 10).float()
criterion = nn.MSELoss()
out = net(input)
loss = criterion(out, y)
print(loss.item())
optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
optimizer.zero_grad()  # 与 net.zero_grad() 效果一样
loss.backward()
optimizer.step()
print(net.fc1.bias)
