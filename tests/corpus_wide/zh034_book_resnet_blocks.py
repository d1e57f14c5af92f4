# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter4/Chapter4.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: a narrower, shallower ResNet on a 32x32 input, so it runs in a moment.
import torch as t
from torch import nn
from torch.nn import functional as F

t.manual_seed(0)


class ResidualBlock(nn.Module):
    '''子 module：残差块'''

    def __init__(self, inchannel, outchannel, stride=1, shortcut=None):
        super(ResidualBlock, self).__init__()
        self.left = nn.Sequential(
            nn.Conv2d(inchannel, outchannel, 3, stride, 1, bias=False),
            nn.BatchNorm2d(outchannel),
            nn.ReLU(inplace=True),
            nn.Conv2d(outchannel, outchannel, 3, 1, 1, bias=False),
            nn.BatchNorm2d(outchannel))
        self.right = shortcut

    def forward(self, x):
        out = self.left(x)
        residual = x if self.right is None else self.right(x)
        out += residual
        return F.relu(out)


class ResNet(nn.Module):
    def __init__(self, num_classes=10):
        super(ResNet, self).__init__()
        self.pre = nn.Sequential(
            nn.Conv2d(3, 8, 3, 1, 1, bias=False),
            nn.BatchNorm2d(8),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, 1))
        self.layer1 = self._make_layer(8, 8, 2, 1, is_shortcut=False)
        self.layer2 = self._make_layer(8, 16, 2, 2)
        self.classifier = nn.Linear(16, num_classes)

    def _make_layer(self, inchannel, outchannel, block_num, stride, is_shortcut=True):
        if is_shortcut:
            shortcut = nn.Sequential(
                nn.Conv2d(inchannel, outchannel, 1, stride, bias=False),
                nn.BatchNorm2d(outchannel))
        else:
            shortcut = None
        layers = []
        layers.append(ResidualBlock(inchannel, outchannel, stride, shortcut))
        for i in range(1, block_num):
            layers.append(ResidualBlock(outchannel, outchannel))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.pre(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = F.avg_pool2d(x, 8)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


model = ResNet()
input = t.randn(2, 3, 32, 32)
out = model(input)
print(out.shape)
loss = F.cross_entropy(out, t.tensor([1, 3]))
loss.backward()
print(model.classifier.weight.grad.shape, round(loss.item(), 4))
