# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter4/Chapter4.ipynb
# (written for this corpus after that source's example; not copied)
import torch as t
from torch import nn

t.manual_seed(0)


class Linear(nn.Module):  # 继承 nn.Module，实现 __init__ 和 forward
    def __init__(self, in_features, out_features):
        super().__init__()
        self.w = nn.Parameter(t.randn(in_features, out_features))
        self.b = nn.Parameter(t.randn(out_features))

    def forward(self, x):
        x = x.mm(self.w)
        return x + self.b.expand_as(x)


layer = Linear(4, 3)
input = t.randn(2, 4)
output = layer(input)
print(output)
for name, parameter in layer.named_parameters():
    print(name, parameter)


class Perceptron(nn.Module):
    def __init__(self, in_features, hidden_features, out_features):
        super(Perceptron, self).__init__()
        self.layer1 = Linear(in_features, hidden_features)  # 用上面自己写的 Linear
        self.layer2 = Linear(hidden_features, out_features)

    def forward(self, x):
        x = self.layer1(x)
        x = t.sigmoid(x)
        return self.layer2(x)


perceptron = Perceptron(3, 4, 1)
for name, param in perceptron.named_parameters():
    print(name, param.size())

from torch import optim

optimizer = optim.SGD(params=perceptron.parameters(), lr=1)
optimizer.zero_grad()  # 等价于 perceptron.zero_grad()
output = perceptron(t.randn(8, 3))
output.backward(output)  # 假的反向传播：梯度就是输出本身
optimizer.step()
print(perceptron.layer2.b)
