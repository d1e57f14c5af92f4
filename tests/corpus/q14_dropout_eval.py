# Modeled on: https://discuss.pytorch.org/t/dropout-in-eval-mode/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

torch.manual_seed(0)
drop = nn.Dropout(p=0.5)
x = torch.ones(8)
drop.eval()
print(drop(x))
drop.train()
y = drop(x)
print(y.sum() <= 16)
