# Modeled on: https://discuss.pytorch.org/t/param-groups/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
opt = torch.optim.SGD([
    {"params": model[0].parameters()},
    {"params": model[1].parameters(), "lr": 0.01},
], lr=0.1, momentum=0.9)
print([g["lr"] for g in opt.param_groups])
out = model(torch.ones(1, 2)).sum()
out.backward()
opt.step()
print(model[1].bias)
