# Modeled on: https://github.com/zergtant/pytorch-handbook/blob/master/chapter4/4.1-fine-tuning.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the fine-tuned ResNet is a small untrained CNN; the features stay in memory
# (the source saves them with np.save).
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
model_ft = nn.Sequential()
model_ft.add_module('conv', nn.Conv2d(3, 4, 3))
model_ft.add_module('relu', nn.ReLU())
model_ft.add_module('avgpool', nn.AdaptiveAvgPool2d(1))
model_ft.add_module('flatten', nn.Flatten())
model_ft.add_module('fc', nn.Linear(4, 2))

in_list = []  # 存放所有的输入


def hook(module, input, output):
    # input 是一个 tuple，这里只有一项
    for i in range(input[0].size(0)):
        in_list.append(input[0][i].cpu().numpy())


model_ft.avgpool.register_forward_hook(hook)
batches = [(torch.rand(4, 3, 8, 8), torch.randint(0, 2, (4,))) for _ in range(3)]
with torch.no_grad():
    for batch_idx, data in enumerate(batches):
        x, y = data
        y_hat = model_ft(x)
features = np.array(in_list)
print(features.shape)
print(np.round(features.mean(), 4))
