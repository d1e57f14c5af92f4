# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-3/02_dataloader.py
# (written for this corpus after that source's example; not copied)
# Adapted: the ants/bees folder walk is replaced by a list of (name, label) made in code and
# the images by small random tensors (no PIL, no torchvision transforms).
import os

import torch
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
FILES = [("ants/%d.jpg" % i, "ants") for i in range(4)] + [("bees/%d.jpg" % i, "bees")
                                                           for i in range(3)]


class AntsBeesDataset(Dataset):
    def __init__(self, root_dir, transform=None):
        self.root_dir = root_dir
        self.transform = transform
        self.img_info = []  # [(path, label), ...]
        self.str_2_int = {"ants": 0, "bees": 1}  # 字符串标签转成整数
        self._get_img_info()

    def __getitem__(self, index):
        path_img, label = self.img_info[index]
        img = torch.rand(3, 8, 8)  # 代替读图
        if self.transform is not None:
            img = self.transform(img)
        return img, label

    def __len__(self):
        if len(self.img_info) == 0:
            raise Exception("\ndata_dir:{} is a empty dir!".format(self.root_dir))
        return len(self.img_info)

    def _get_img_info(self):
        for name, sub_dir in FILES:
            path_img = os.path.join(self.root_dir, name)
            self.img_info.append((path_img, self.str_2_int[sub_dir]))


if __name__ == "__main__":
    normalize = lambda img: (img - 0.5) / 0.5
    train_set = AntsBeesDataset("data/train", transform=normalize)
    train_loader_bs2 = DataLoader(dataset=train_set, batch_size=2, shuffle=True)
    train_loader_bs3 = DataLoader(dataset=train_set, batch_size=3, shuffle=True)
    train_loader_bs2_drop = DataLoader(dataset=train_set, batch_size=2, shuffle=True,
                                       drop_last=True)
    for i, (inputs, target) in enumerate(train_loader_bs2):
        print(i, inputs.shape, target.shape, target)
    for i, (inputs, target) in enumerate(train_loader_bs3):
        print(i, inputs.shape, target.shape, target)
    for i, (inputs, target) in enumerate(train_loader_bs2_drop):
        print(i, inputs.shape, target.shape, target)
