# Modeled on: https://discuss.pytorch.org/t/cross-entropy-vs-nll/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
scores = torch.randn(3, 5, requires_grad=True)
target = torch.tensor([1, 0, 4])
ce = nn.CrossEntropyLoss()(scores, target)
nll = nn.NLLLoss()(F.log_softmax(scores, dim=1), target)
print(torch.allclose(ce, nll))
ce.backward()
print(scores.grad.sum(dim=1))
