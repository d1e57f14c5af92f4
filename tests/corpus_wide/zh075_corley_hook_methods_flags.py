# Modeled on: https://github.com/corleytd/PyTorchBasic/blob/master/codes/5_visualize_and_hook/hook_methods.py
# (written for this corpus after that source's example; not copied)
# Adapted: the course's tools.common_tools.set_seed is written out; every flag section runs.
import random

import numpy as np
import torch
from torch import nn


def set_seed(seed=42):
    '''设置随机种子'''
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


set_seed()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.pool = nn.MaxPool2d(2, 2)

    def forward(self, x):
        return self.pool(self.conv(x))


# 1. Module.register_forward_hook
input_block, fmap_block = [], []


def forward_hook(module, inputs, output):
    input_block.append(inputs)
    fmap_block.append(output)


net = Net()
net.conv.weight[0].detach().fill_(1)
net.conv.weight[1].detach().fill_(2)
net.conv.bias.detach().zero_()
net.conv.register_forward_hook(forward_hook)
fake_img = torch.ones((1, 1, 4, 4))  # BCHW
output = net(fake_img)
print(f'input shape: {input_block[0][0].shape}\ninput value: {input_block[0]}')
print(f'feature map shape: {fmap_block[0].shape}\nfeature map value: {fmap_block[0]}')
print(f'output shape: {output.shape}\noutput value: {output}')


# 2. register_forward_pre_hook 和 register_full_backward_hook
def forward_pre_hook(module, inputs):
    print(f'forward_pre_hook input: {inputs}')


def backward_hook(module, grad_inputs, grad_outputs):
    print(f'backward_hook grad_inputs: {grad_inputs}')
    print(f'backward_hook grad_outputs: {grad_outputs}')


net = Net()
net.conv.weight[0].detach().fill_(1)
net.conv.weight[1].detach().fill_(2)
net.conv.bias.detach().zero_()
net.conv.register_forward_pre_hook(forward_pre_hook)
net.conv.register_full_backward_hook(backward_hook)  # register_backward_hook 已弃用
output = net(fake_img)
target = torch.randn_like(output)
loss = nn.L1Loss()(target, output)
loss.backward()
print(net.conv.weight.grad)
