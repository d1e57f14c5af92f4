# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_builders-guide/parameters.md
# (written for this corpus after that source's example; not copied)
from torch import nn

net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
nn.init.normal_(net[0].weight, mean=0, std=0.01)
nn.init.zeros_(net[0].bias)
nn.init.constant_(net[2].weight, 1)
print(net[0].bias[:3], net[2].weight[0, :3])
