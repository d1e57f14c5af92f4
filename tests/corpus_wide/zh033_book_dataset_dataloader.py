# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter5/chapter5.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the dog/cat image folder is replaced by file names and tensors made in code.
import torch as t
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.dataloader import default_collate
from torch.utils.data.sampler import WeightedRandomSampler

t.manual_seed(0)
names = ['cat.%d.jpg' % i for i in range(4)] + ['dog.%d.jpg' % i for i in range(4)]
pixels = {name: t.rand(3, 4, 4) for name in names}


class DogCat(Dataset):
    def __init__(self, root):
        self.imgs = [root + '/' + name for name in names]

    def __getitem__(self, index):
        img_path = self.imgs[index]
        label = 1 if 'dog' in img_path.split('/')[-1] else 0  # dog->1, cat->0
        data = pixels[img_path.split('/')[-1]]
        return data, label

    def __len__(self):
        return len(self.imgs)


dataset = DogCat('./data/dogcat')
img, label = dataset[0]  # 相当于 dataset.__getitem__(0)
for img, label in dataset:
    print(img.size(), round(img.mean().item(), 4), label)

dataloader = DataLoader(dataset, batch_size=3, shuffle=True, num_workers=0, drop_last=False)
dataiter = iter(dataloader)
imgs, labels = next(dataiter)
print(imgs.size(), labels)


class NewDogCat(DogCat):  # 继承前面的数据集
    def __getitem__(self, index):
        try:
            return super().__getitem__(index)
        except KeyError:
            return None, None


def my_collate_fn(batch):
    batch = [b for b in batch if b[0] is not None]  # 过滤掉 None
    if len(batch) == 0:
        return t.Tensor()
    return default_collate(batch)


dataloader = DataLoader(NewDogCat('./data'), 2, collate_fn=my_collate_fn, shuffle=True)
for batch_datas, batch_labels in dataloader:
    print(batch_datas.size(), batch_labels.size())

weights = [2 if label == 1 else 1 for data, label in dataset]  # 狗被抽到的概率是猫的两倍
sampler = WeightedRandomSampler(weights, num_samples=9, replacement=True)
dataloader = DataLoader(dataset, batch_size=3, sampler=sampler)
for datas, labels in dataloader:
    print(labels.tolist())

w = t.zeros(3, requires_grad=True)
for datas, labels in DataLoader(dataset, batch_size=4):
    loss = ((datas.mean(dim=(2, 3)) @ w - labels.float()) ** 2).mean()
    loss.backward()
print(w.grad)
