# Modeled on: https://github.com/elliotwaite/pytorch-hooks-tutorial/blob/master/2_module_forward_hooks/4_remove_module_hooks.py
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn as nn


class SumNet(nn.Module):
    def __init__(self):
        super(SumNet, self).__init__()

    @staticmethod
    def forward(a, b, c):
        return a + b + c


def forward_pre_hook(module, input_positional_args):
    a, b = input_positional_args
    return a + 10, b


def forward_hook(module, input_positional_args, output):
    return output + 100


def main():
    sum_net = SumNet()
    pre_handle = sum_net.register_forward_pre_hook(forward_pre_hook)
    post_handle = sum_net.register_forward_hook(forward_hook)
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(2.0, requires_grad=True)
    c = torch.tensor(3.0, requires_grad=True)
    d = sum_net(a, b, c=c)
    print('d:', d)
    pre_handle.remove()  # with both hooks gone the module is plain again
    post_handle.remove()
    d = sum_net(a, b, c=c)
    print('d:', d)


if __name__ == '__main__':
    main()
