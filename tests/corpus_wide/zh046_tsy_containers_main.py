# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-4/02_containers.py
# (written for this corpus after that source's example; not copied)
# Adapted: torchvision's alexnet is replaced by a small Sequential of the same layer kinds.
import torch
import torch.nn as nn

torch.manual_seed(0)

if __name__ == "__main__":
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(), nn.Dropout(), nn.Linear(32, 10))
    output = model(torch.randn((1, 3, 32, 32)))
    print(output.shape)

    class MyModule(nn.Module):
        def __init__(self):
            super(MyModule, self).__init__()
            self.linears = nn.ModuleList([nn.Linear(10, 10) for i in range(4)])
            # 换成普通 list，model._modules 就是空的

        def forward(self, x):
            for sub_layer in self.linears:
                x = sub_layer(x)
            return x

    model = MyModule()
    output = model(torch.randn((8, 10)))
    print(output.shape)
    output.mean().backward()
    print(model.linears[0].weight.grad.shape)

    class MyModule2(nn.Module):
        def __init__(self):
            super(MyModule2, self).__init__()
            self.choices = nn.ModuleDict({'conv': nn.Conv2d(3, 4, 3), 'pool': nn.MaxPool2d(3)})
            self.activations = nn.ModuleDict({'lrelu': nn.LeakyReLU(), 'prelu': nn.PReLU()})

        def forward(self, x, choice, act):
            x = self.choices[choice](x)
            return self.activations[act](x)

    model2 = MyModule2()
    fake_input = torch.randn((1, 3, 7, 7))
    convout = model2(fake_input, "conv", "lrelu")
    poolout = model2(fake_input, "pool", "prelu")
    print(convout.shape, poolout.shape)
    poolout.sum().backward()
    print(model2.activations['prelu'].weight.grad)
