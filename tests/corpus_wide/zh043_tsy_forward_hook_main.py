# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-4/05_hook.ipynb
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 2, 3)
        self.pool1 = nn.MaxPool2d(2, 2)

    def forward(self, x):
        x = self.conv1(x)
        return self.pool1(x)


def forward_hook(module, data_input, data_output):
    fmap_block.append(data_output)
    input_block.append(data_input)


if __name__ == "__main__":
    net = Net()
    net.conv1.weight[0].detach().fill_(1)
    net.conv1.weight[1].detach().fill_(2)
    net.conv1.bias.data.zero_()

    fmap_block = list()
    input_block = list()
    net.conv1.register_forward_hook(forward_hook)  # 注册 hook

    fake_img = torch.ones((1, 1, 4, 4))  # batch * channel * H * W
    output = net(fake_img)
    print("output shape: {}\noutput value: {}\n".format(output.shape, output))
    print("feature maps shape: {}\noutput value: {}\n".format(fmap_block[0].shape, fmap_block[0]))
    print("input shape: {}\ninput value: {}".format(input_block[0][0].shape, input_block[0]))
