# Modeled on: https://github.com/pytorch/pytorch/issues/80119
# (written for this corpus after that source's example; not copied)
import torch
import torch.utils.data as data
from torch.utils.data import DataLoader

torch.manual_seed(2022)
train_dataset = data.TensorDataset(torch.randn(5, 1))
val_dataset = data.TensorDataset(torch.randn(2, 1))
train_loader = DataLoader(dataset=train_dataset, shuffle=True, batch_size=1)
val_loader = DataLoader(dataset=val_dataset, shuffle=False, batch_size=1)
w = torch.ones(1, requires_grad=True)
for epoch in range(3):
    print('\nepoch', epoch)
    for _, x in enumerate(train_loader):
        print(x[0])
        (w * x[0]).sum().backward()
    for _, x in enumerate(val_loader):  # iterating it draws a seed too
        pass
print(w.grad)
