# Modeled on: https://discuss.pytorch.org/t/bceloss-vs-bcewithlogitsloss/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

torch.manual_seed(0)
logits = torch.randn(4, requires_grad=True)
target = torch.tensor([0.0, 1.0, 1.0, 0.0])
a = nn.BCEWithLogitsLoss()(logits, target)
b = nn.BCELoss()(torch.sigmoid(logits), target)
print(torch.allclose(a, b))
a.backward()
print(logits.grad)
