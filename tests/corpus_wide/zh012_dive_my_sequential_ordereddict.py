# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter04_DL_computation/4.1_model-construction.ipynb
# (written for this corpus after that source's example; not copied)
from collections import OrderedDict

import torch
from torch import nn

torch.manual_seed(0)


class MLP(nn.Module):
    def __init__(self, **kwargs):
        super(MLP, self).__init__(**kwargs)
        self.hidden = nn.Linear(20, 16)  # 隐藏层
        self.act = nn.ReLU()
        self.output = nn.Linear(16, 4)  # 输出层

    def forward(self, x):
        return self.output(self.act(self.hidden(x)))


X = torch.rand(2, 20)
net = MLP()
print(net)
print(net(X))


class MySequential(nn.Module):
    def __init__(self, *args):
        super(MySequential, self).__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)  # 放进 self._modules
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def forward(self, input):
        for module in self._modules.values():  # 按添加顺序遍历
            input = module(input)
        return input


net = MySequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))
print(net)
out = net(X)
out.sum().backward()
print(net._modules['0'].weight.grad.shape)

net2 = MySequential(OrderedDict([('fc', nn.Linear(20, 3)), ('act', nn.Tanh())]))
print(net2)
print(net2(X))

layers = nn.ModuleList([nn.Linear(20, 16), nn.ReLU()])
layers.append(nn.Linear(16, 4))
print(layers[-1])
print(layers)

blocks = nn.ModuleDict({'linear': nn.Linear(20, 16), 'act': nn.ReLU()})
blocks['output'] = nn.Linear(16, 4)
print(blocks['linear'])
print(blocks.output)
print(blocks)
