import torch
from torch import nn

# Two layers; only the second has a hook, which prints what it saw. net[0] must not be named.
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))


def show(module, inputs, output):
    print(inputs[0].shape, output.shape)


net[1].register_forward_hook(show)
loss = net(torch.ones(4, 2)).sum()
loss.backward()
