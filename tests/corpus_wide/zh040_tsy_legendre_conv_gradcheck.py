# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-2/06_autograd.ipynb
# (written for this corpus after that source's example; not copied)
import torch
import torch.nn.functional as F
from torch.autograd.function import Function

torch.manual_seed(0)


class LegendrePolynomial3(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x ** 3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x ** 2 - 1)


P3 = LegendrePolynomial3.apply
a, b, c, d = 1, 2, 1, 2
x = torch.tensor(1.0, requires_grad=True)
y_pred = a + b * P3(c + d * x)
print(y_pred)
y_pred.backward()
print(x.grad)


def convolution_backward(grad_out, X, weight):
    """返回值个数与 forward 的输入个数一致"""
    grad_weight = F.conv2d(X.transpose(0, 1), grad_out.transpose(0, 1)).transpose(0, 1)
    grad_X = F.conv_transpose2d(grad_out, weight)
    return grad_X, grad_weight


class MyConv2D(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, weight):
        ctx.save_for_backward(X, weight)
        return F.conv2d(X, weight)

    @staticmethod
    def backward(ctx, grad_out):
        X, weight = ctx.saved_tensors
        return convolution_backward(grad_out, X, weight)


weight = torch.rand(2, 3, 3, 3, requires_grad=True, dtype=torch.double)
X = torch.rand(2, 3, 5, 5, requires_grad=True, dtype=torch.double)
print("梯度检查: ", torch.autograd.gradcheck(MyConv2D.apply, (X, weight)))
y = MyConv2D.apply(X, weight)
label = torch.randn_like(y)
loss = F.mse_loss(y, label)
print("反向传播前，weight.grad: ", weight.grad)
loss.backward()
print("反向传播后，weight.grad 的形状: ", weight.grad.shape)
