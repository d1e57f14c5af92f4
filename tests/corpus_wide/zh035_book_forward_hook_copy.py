# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter4/Chapter4.md
# (written for this corpus after that source's example; not copied)
# Adapted: the book's pseudo-code runs on a small Sequential standing in for its VGG.
import torch as t
from torch import nn

t.manual_seed(0)
model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2))
features = t.zeros(3, 4)


def hook(module, input, output):
    '''把这一层的输出拷贝到 features 里'''
    features.copy_(output.data)


handle = model[2].register_forward_hook(hook)
x = t.randn(3, 6)
_ = model(x)
handle.remove()  # 用完 hook 就删除
print(features)

classifier = nn.Linear(4, 2)
loss = classifier(features).sum()
loss.backward()
print(classifier.weight.grad)
