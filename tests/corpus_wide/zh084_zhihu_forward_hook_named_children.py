# Modeled on: https://zhuanlan.zhihu.com/p/75054200
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.fc1 = nn.Linear(3, 4)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(4, 1)
        with torch.no_grad():
            self.fc1.weight.copy_(torch.arange(12.0).view(4, 3) - 6)
            self.fc1.bias.fill_(0.5)
            self.fc2.weight.copy_(torch.tensor([[1.0, -1.0, 2.0, -2.0]]))
            self.fc2.bias.zero_()

    def forward(self, x):
        return self.fc2(self.relu1(self.fc1(x)))


module_name = []
features_in_hook = []
features_out_hook = []


def hook(module, fea_in, fea_out):
    print("hooker working")
    module_name.append(module.__class__)
    features_in_hook.append(fea_in)
    features_out_hook.append(fea_out)


model = Model()
for name, child in model.named_children():
    child.register_forward_hook(hook=hook)

x = torch.Tensor([[1.0, 1.0, 1.0]]).requires_grad_()
out = model(x)
print(module_name)
print(features_in_hook)
print(features_out_hook)
out.backward()
print(x.grad)
