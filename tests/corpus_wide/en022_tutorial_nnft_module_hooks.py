# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/former_torchies/nnft_tutorial.py
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class MNISTConvNet(nn.Module):
    def __init__(self):
        super(MNISTConvNet, self).__init__()  # layers are declared here, used in forward
        self.conv1 = nn.Conv2d(1, 4, 5)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 8, 5)
        self.pool2 = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(128, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, input):
        x = self.pool1(F.relu(self.conv1(input)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = x.flatten(start_dim=1)
        x = F.relu(self.fc1(x))
        return F.relu(self.fc2(x))


net = MNISTConvNet()
print(net)
input = torch.randn(1, 1, 28, 28)
out = net(input)
print(out.size())
target = torch.tensor([3], dtype=torch.long)
loss_fn = nn.CrossEntropyLoss()
err = loss_fn(out, target)
err.backward()
print(err)
print(net.conv1.weight.grad.size())
print(net.conv1.weight.data.norm())
print(net.conv1.weight.grad.data.norm())


def printnorm(self, input, output):
    print('Inside ' + self.__class__.__name__ + ' forward')
    print('input: ', type(input))
    print('input[0]: ', type(input[0]))
    print('output: ', type(output))
    print('input size:', input[0].size())
    print('output size:', output.data.size())
    print('output norm:', output.data.norm())


net.conv2.register_forward_hook(printnorm)
out = net(input)


def printgradnorm(self, grad_input, grad_output):
    print('Inside ' + self.__class__.__name__ + ' backward')
    print('grad_input: ', type(grad_input))
    print('grad_output: ', type(grad_output))
    print('grad_input size:', grad_input[0].size())
    print('grad_output size:', grad_output[0].size())
    print('grad_input norm:', grad_input[0].norm())


net.conv2.register_full_backward_hook(printgradnorm)
out = net(input)
err = loss_fn(out, target)
err.backward()
