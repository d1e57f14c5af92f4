# Modeled on: https://discuss.pytorch.org/t/embedding-gradients/
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn

torch.manual_seed(0)
emb = nn.Embedding(5, 3)
idx = torch.tensor([1, 1, 4])
out = emb(idx).sum()
out.backward()
print(emb.weight.grad)
