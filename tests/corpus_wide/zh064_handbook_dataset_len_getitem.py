# Modeled on: https://github.com/zergtant/pytorch-handbook/blob/master/chapter2/2.1.4-pytorch-basics-data-loader.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the bulldozer CSV read with pandas becomes a list of prices made in code.
import random

import torch
from torch.utils.data import Dataset

random.seed(0)
torch.manual_seed(0)
print(torch.__version__)
PRICES = [float(random.randint(10, 60) * 1000) for _ in range(25)]


class BulldozerDataset(Dataset):
    """ 数据集演示 """

    def __init__(self, prices):
        self.prices = prices  # 初始化时载入数据

    def __len__(self):
        return len(self.prices)

    def __getitem__(self, idx):
        return self.prices[idx]  # 按索引返回一条数据


ds_demo = BulldozerDataset(PRICES)
print(len(ds_demo))  # 实现了 __len__
print(ds_demo[0])  # 实现了 __getitem__
dl = torch.utils.data.DataLoader(ds_demo, batch_size=10, shuffle=True, num_workers=0)
idata = iter(dl)
print(next(idata))
for i, data in enumerate(dl):
    print(i, data)
    break

scale = torch.tensor(1e-4, requires_grad=True)
for batch in dl:
    loss = ((batch.float() * scale - 3.0) ** 2).mean()
    loss.backward()
print(scale.grad)
