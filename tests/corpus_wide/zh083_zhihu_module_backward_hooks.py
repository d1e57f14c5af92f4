# Modeled on: https://zhuanlan.zhihu.com/p/75054200
# (written for this corpus after that source's example; not copied)
# Read as reproduced in learners' repositories (e.g. github.com/gyzcode/CIFAR-ZOO, tt.py).
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.fc1 = nn.Linear(3, 4)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(4, 1)
        self.initialize()

    def initialize(self):  # 固定权重，便于手算核对
        with torch.no_grad():
            self.fc1.weight = torch.nn.Parameter(
                torch.Tensor([[1., 2., 3.], [-4., -5., -6.], [7., 8., 9.], [-1., -2., -3.]]))
            self.fc1.bias = torch.nn.Parameter(torch.Tensor([1.0, 2.0, 3.0, 4.0]))
            self.fc2.weight = torch.nn.Parameter(torch.Tensor([[1.0, 2.0, 3.0, 4.0]]))
            self.fc2.bias = torch.nn.Parameter(torch.Tensor([1.0]))

    def forward(self, x):
        return self.fc2(self.relu1(self.fc1(x)))


total_grad_out = []
total_grad_in = []


def hook_fn_backward(module, grad_input, grad_output):
    print(module)  # 区分是哪个模块
    print('grad_output', grad_output)  # 按反向传播的顺序，先看 grad_output
    print('grad_input', grad_input)
    total_grad_in.append(grad_input)
    total_grad_out.append(grad_output)


model = Model()
for name, module in model.named_children():
    module.register_full_backward_hook(hook_fn_backward)

# x 要 requires_grad，否则第一层拿不到对输入的梯度
x = torch.Tensor([[1.0, 1.0, 1.0]]).requires_grad_()
o = model(x)
o.backward()
print('==========Saved inputs and outputs==========')
for idx in range(len(total_grad_in)):
    print('grad output: ', total_grad_out[idx])
    print('grad input: ', total_grad_in[idx])
