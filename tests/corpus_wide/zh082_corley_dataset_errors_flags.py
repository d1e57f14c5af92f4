# Modeled on: https://github.com/corleytd/PyTorchBasic/blob/master/codes/7_utilities/common_errors.py
# (written for this corpus after that source's example; not copied)
# Adapted: the sections that need files, torchvision or CUDA are left out.
# Ends on PyTorch's error: the lesson's last section, a target out of bounds.
import random

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

random.seed(0)
torch.manual_seed(0)


class FooDataset(Dataset):
    def __init__(self, num_data, shape, transform=None):
        self.num_data = num_data
        self.shape = shape
        self.transform = transform

    def __getitem__(self, item):
        size = random.randint(self.shape[-1], self.shape[-1])  # 换成不同大小会让 stack 报错
        fake_data = torch.randn(self.shape[0], size, size)
        fake_label = torch.randint(0, 10, size=(1,))
        if self.transform:
            fake_data = self.transform(fake_data)
        return fake_data, fake_label

    def __len__(self):
        return self.num_data


data_loader = DataLoader(dataset=FooDataset(10, (3, 8, 8)), batch_size=4)
data, labels = next(iter(data_loader))
print(data.shape, labels.shape)


class FooNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 3, bias=False)
        self.pool = nn.MaxPool2d(5)

    def forward(self, x):
        return self.linear(x)


model = FooNet()
for name, layer in model.named_modules():
    print(name)

inputs = torch.tensor([[1., 2], [1, 3], [1, 4]], requires_grad=True)
criterion = nn.CrossEntropyLoss()
loss = criterion(inputs, torch.tensor([0, 1, 1]))
loss.backward()
print(inputs.grad)
loss = criterion(inputs, torch.tensor([0, 1, 2]))  # IndexError: Target 2 is out of bounds.
