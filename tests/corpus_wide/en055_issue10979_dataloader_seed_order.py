# Modeled on: https://github.com/pytorch/pytorch/issues/10979
# (written for this corpus after that source's example; not copied)
import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(10001)
X = torch.rand(20)
y = torch.LongTensor(20).random_(0, 10)
dataloader = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True)
for batch_idx, (data, target) in enumerate(dataloader):
    print("Batch: %2d" % batch_idx, "Target:", target.numpy())
w = torch.zeros(1, requires_grad=True)
for data, target in dataloader:
    (w * data - target.float()).pow(2).mean().backward()
print(w.grad)
