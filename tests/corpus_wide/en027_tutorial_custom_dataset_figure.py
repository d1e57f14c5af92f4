# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/basics/data_tutorial.py
# (written for this corpus after that source's example; not copied)
# Adapted: the annotations CSV (pandas) and image files (read_image) become a list of
# (name, label) pairs and tensors made in code.
import os

import matplotlib.pyplot as plt
import torch
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
labels_map = {0: "T-Shirt", 1: "Trouser", 2: "Pullover", 3: "Dress"}
ANNOTATIONS = [("img_%d.png" % i, i % 4) for i in range(12)]
IMAGES = {name: torch.rand(1, 8, 8) for name, _ in ANNOTATIONS}


class CustomImageDataset(Dataset):
    def __init__(self, annotations, img_dir, transform=None, target_transform=None):
        self.img_labels = annotations
        self.img_dir = img_dir
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        img_path = os.path.join(self.img_dir, self.img_labels[idx][0])
        image = IMAGES[os.path.basename(img_path)]
        label = self.img_labels[idx][1]
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


training_data = CustomImageDataset(ANNOTATIONS, "data/images")
figure = plt.figure(figsize=(8, 8))
cols, rows = 3, 2
for i in range(1, cols * rows + 1):
    sample_idx = torch.randint(len(training_data), size=(1,)).item()
    img, label = training_data[sample_idx]
    figure.add_subplot(rows, cols, i)
    plt.title(labels_map[label])
    plt.axis("off")
    plt.imshow(img.squeeze(), cmap="gray")
plt.show()

train_dataloader = DataLoader(training_data, batch_size=4, shuffle=True)
train_features, train_labels = next(iter(train_dataloader))
print(f"Feature batch shape: {train_features.size()}")
print(f"Labels batch shape: {train_labels.size()}")
img = train_features[0].squeeze()
label = train_labels[0]
print(f"Label: {label}")
w = torch.zeros(64, 4, requires_grad=True)
loss = torch.nn.functional.cross_entropy(train_features.view(4, -1) @ w, train_labels)
loss.backward()
print(w.grad.abs().sum())
