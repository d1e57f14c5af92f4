# Modeled on: https://github.com/yunjey/pytorch-tutorial/blob/master/tutorials/01-basics/pytorch_basics/main.py
# (written for this corpus after that source's example; not copied)
# Adapted: the CIFAR-10 and pretrained-ResNet sections (downloads) become a small dataset
# made in code and a small frozen network; no torch.save.
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)

# 1. Basic autograd example 1
x = torch.tensor(1., requires_grad=True)
w = torch.tensor(2., requires_grad=True)
b = torch.tensor(3., requires_grad=True)
y = w * x + b  # y = 2 * x + 3
y.backward()
print(x.grad)  # 2
print(w.grad)  # 1
print(b.grad)  # 1

# 2. Basic autograd example 2
x = torch.randn(10, 3)
y = torch.randn(10, 2)
linear = nn.Linear(3, 2)
print('w: ', linear.weight)
print('b: ', linear.bias)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(linear.parameters(), lr=0.01)
pred = linear(x)
loss = criterion(pred, y)
print('loss: ', loss.item())
loss.backward()
print('dL/dw: ', linear.weight.grad)
print('dL/db: ', linear.bias.grad)
optimizer.step()
loss = criterion(linear(x), y)
print('loss after 1 step optimization: ', loss.item())

# 3. Loading data from numpy
x = np.array([[1, 2], [3, 4]])
y = torch.from_numpy(x)
z = y.numpy()
print(y, z)


# 5. Input pipeline for a custom dataset
class CustomDataset(torch.utils.data.Dataset):
    def __init__(self):
        self.items = [(torch.randn(3, 4, 4), i % 10) for i in range(20)]

    def __getitem__(self, index):
        return self.items[index]

    def __len__(self):
        return len(self.items)


custom_dataset = CustomDataset()
train_loader = torch.utils.data.DataLoader(dataset=custom_dataset, batch_size=8, shuffle=True)
data_iter = iter(train_loader)
images, labels = next(data_iter)
print(images.size(), labels)

# 6. Freeze a network and replace its top layer for finetuning
backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
for param in backbone.parameters():
    param.requires_grad = False
model = nn.Sequential(backbone, nn.Linear(4, 10))
outputs = model(images)
print(outputs.size())
outputs.sum().backward()
print(backbone[0].weight.grad, model[1].bias.grad)
