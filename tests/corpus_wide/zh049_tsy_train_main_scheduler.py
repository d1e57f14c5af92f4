# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-5/03_lr_scheduler.py
# (written for this corpus after that source's example; not copied)
# Adapted: the COVID-19 image list (a txt file and images) is made in code; fewer epochs.
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset


def main():
    torch.manual_seed(0)

    class COVID19Dataset(Dataset):  # 第 1 步：数据
        def __init__(self, lines, transform=None):
            self.transform = transform
            self.img_info = [(line.split()[0], int(line.split()[2])) for line in lines]
            self.images = {name: torch.rand(1, 8, 8) for name, _ in self.img_info}

        def __getitem__(self, index):
            path_img, label = self.img_info[index]
            img = self.images[path_img]
            if self.transform is not None:
                img = self.transform(img)
            return img, label

        def __len__(self):
            return len(self.img_info)

    lines = ["img%d.png covid %d" % (i, i % 2) for i in range(4)]
    train_loader = DataLoader(dataset=COVID19Dataset(lines), batch_size=2)

    class TinnyCNN(nn.Module):  # 第 2 步：模型
        def __init__(self, cls_num=2):
            super(TinnyCNN, self).__init__()
            self.convolution_layer = nn.Conv2d(1, 1, kernel_size=(3, 3))
            self.fc = nn.Linear(36, cls_num)

        def forward(self, x):
            x = self.convolution_layer(x)
            x = x.view(x.size(0), -1)
            return self.fc(x)

    model = TinnyCNN(2)
    loss_f = nn.CrossEntropyLoss()  # 第 3 步：损失和优化器
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    scheduler = optim.lr_scheduler.StepLR(optimizer, gamma=0.1, step_size=3)
    for epoch in range(6):  # 第 4 步：迭代
        model.train()
        for data, labels in train_loader:
            outputs = model(data)
            optimizer.zero_grad()
            loss = loss_f(outputs, labels)
            loss.backward()
            optimizer.step()
            _, predicted = torch.max(outputs.data, 1)
            acc = (predicted == labels).sum() / labels.shape[0]
        print("Epoch:{} Train Loss:{:.2f} Acc:{:.0%} lr:{}".format(
            epoch, loss, acc, scheduler.get_last_lr()[0]))
        scheduler.step()


if __name__ == "__main__":
    main()
