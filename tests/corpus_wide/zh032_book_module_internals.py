# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter4/Chapter4.ipynb
# (written for this corpus after that source's example; not copied)
import torch as t
from torch import nn

t.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.param1 = nn.Parameter(t.rand(3, 3))  # 等价于 register_parameter
        self.submodel1 = nn.Linear(3, 4)

    def forward(self, input):
        x = self.param1.mm(input)
        return self.submodel1(x)


net = Net()
print(net)
print(net._modules)
print(net._parameters)
print(net.param1)  # 等价于 net._parameters['param1']
for name, param in net.named_parameters():
    print(name, param.size())
for name, submodel in net.named_modules():
    print(name, submodel)

bn = nn.BatchNorm1d(2)
out = bn(t.rand(3, 2))
print(bn._buffers)

model = nn.Dropout()
x = t.arange(0, 12).view(3, 4).float()
print(model(x))
model.training = False  # 测试阶段 dropout 什么都不做
print(model(x))

print(net.training, net.submodel1.training)
net.eval()
print(net.training, net.submodel1.training)

module = nn.Module()
module.param = nn.Parameter(t.ones(2, 2))
print(module._parameters)
module.submodules = [nn.Linear(2, 2), nn.Linear(2, 2)]  # list 不会进 _modules
print('_modules: ', module._modules)
module.submodules = nn.ModuleList(module.submodules)
print(isinstance(module.submodules, nn.Module))
print('_modules: ', module._modules)
print(getattr(module, 'training'))
module.attr1 = 2
print(getattr(module, 'attr1'))
out = net(t.ones(3, 3)).sum()
out.backward()
print(net.param1.grad)
