# Modeled on: https://github.com/zergtant/pytorch-handbook/blob/master/chapter2/2.1.2-pytorch-basics-autograd.ipynb
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd.function import Function

torch.manual_seed(0)


class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant  # ctx 类似 self，backward 里可以用
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        # 返回个数与输入一致；常数的梯度是 None
        return grad_output * ctx.constant, None


a = torch.rand(3, 3, requires_grad=True)
b = MulConstant.apply(a, 5)
print("a:" + str(a))
print("b:" + str(b))  # a 的每个元素乘以 5
b.backward(torch.ones_like(a))
print(a.grad)
