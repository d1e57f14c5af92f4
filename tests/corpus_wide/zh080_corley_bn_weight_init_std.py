# Modeled on: https://github.com/corleytd/PyTorchBasic/blob/master/codes/6_regularization/bn_and_weight_init.py
# (written for this corpus after that source's example; not copied)
# Adapted: 10 layers of 32 units instead of 100 of 256; set_seed written out.
import random

import numpy as np
import torch
from torch import nn


def set_seed(seed=42):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


set_seed()


class MLP(nn.Module):
    def __init__(self, neural_num, layers=10):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(neural_num, neural_num, bias=False)
                                      for _ in range(layers)])
        self.bns = nn.ModuleList([nn.BatchNorm1d(neural_num) for _ in range(layers)])

    def forward(self, x, use_bn=False):
        for idx, (linear, bn) in enumerate(zip(self.linears, self.bns), 1):
            x = linear(x)
            if use_bn:
                x = bn(x)
            x = torch.relu(x)
            if torch.isnan(x.std()):
                print(f'output is nan in layer {idx}')
                break
            print(f'layer {idx}: std {x.std().item():.4f}')
        return x

    def initialize(self, method='normal'):
        for module in self.modules():
            if isinstance(module, nn.Linear):
                if method == 'normal':
                    nn.init.normal_(module.weight.data)  # mean=0, std=1
                elif method == 'kaiming':
                    nn.init.kaiming_normal_(module.weight.data)


net = MLP(32)
inputs = torch.randn(16, 32)
net.initialize()  # 正态分布初始化：标准差爆炸
output = net(inputs)
net.initialize(method='kaiming')  # 凯明初始化
output = net(inputs)
output = net(inputs, use_bn=True)  # 再加 BN
output.mean().backward()
print(net.bns[0].weight.grad[:4])
