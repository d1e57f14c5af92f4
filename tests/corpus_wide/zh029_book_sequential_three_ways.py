# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter4/Chapter4.ipynb
# (written for this corpus after that source's example; not copied)
from collections import OrderedDict

import torch as t
from torch import nn

t.manual_seed(0)
net1 = nn.Sequential()
net1.add_module('conv', nn.Conv2d(3, 3, 3))
net1.add_module('batchnorm', nn.BatchNorm2d(3))
net1.add_module('activation_layer', nn.ReLU())

net2 = nn.Sequential(nn.Conv2d(3, 3, 3), nn.BatchNorm2d(3), nn.ReLU())

net3 = nn.Sequential(OrderedDict([
    ('conv1', nn.Conv2d(3, 3, 3)),
    ('bn1', nn.BatchNorm2d(3)),
    ('relu1', nn.ReLU()),
]))
print('net1:', net1)
print('net2:', net2)
print('net3:', net3)
print(net1.conv, net2[0], net3.conv1)  # 按名字或序号取子 module

input = t.rand(1, 3, 4, 4)
output = net1(input)
output = net2(input)
output = net3(input)
output = net3.relu1(net1.batchnorm(net1.conv(input)))
output.sum().backward()
print(net1.conv.weight.grad.shape, net3.conv1.weight.grad)

modellist = nn.ModuleList([nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)])
x = t.randn(1, 3)
for model in modellist:
    x = model(x)
print(x)


class MyModule(nn.Module):
    def __init__(self):
        super(MyModule, self).__init__()
        self.list = [nn.Linear(3, 4), nn.ReLU()]  # 普通 list 里的层不会被识别
        self.module_list = nn.ModuleList([nn.Conv2d(3, 3, 3), nn.ReLU()])

    def forward(self):
        pass


model = MyModule()
print(model)
for name, param in model.named_parameters():
    print(name, param.size())
