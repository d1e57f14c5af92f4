# Modeled on: https://github.com/elliotwaite/pytorch-hooks-tutorial/blob/master/3_module_backward_hooks/1_working_module_backward_hook.py
# (written for this corpus after that source's example; not copied)
# Adapted: register_full_backward_hook, the current spelling of register_backward_hook;
# the tensor-hook workaround of 3_tensor_hooks_workaround.py follows.
import torch
import torch.nn as nn


class MyMultiply(nn.Module):
    def __init__(self):
        super(MyMultiply, self).__init__()

    @staticmethod
    def forward(a, b):
        return a * b


def backward_hook(module, grad_input, grad_output):
    print('module:', module)
    print('grad_input:', grad_input)
    print('grad_output:', grad_output)


def main():
    my_multiply = MyMultiply()
    my_multiply.register_full_backward_hook(backward_hook)
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    c = my_multiply(a, b)
    c.backward()

    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = torch.tensor(4.0, requires_grad=True)
    d = x * y * z
    x.register_hook(lambda grad: print('x grad:', grad))
    y.register_hook(lambda grad: print('y grad:', grad))
    d.register_hook(lambda grad: print('d grad:', grad))
    d.backward()


if __name__ == '__main__':
    main()
