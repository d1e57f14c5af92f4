# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-2/06_autograd.ipynb
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd.function import Function


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()  # 第一步：前向计算
        ctx.save_for_backward(result)  # 第二步：保存反向传播要用的结果
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result  # e^x 的导数还是 e^x


x = torch.tensor([1.], requires_grad=True)
y = Exp.apply(x)  # 自定义 Function 要用 apply 调用
print(y)
y.backward()
print(x.grad)


class GradCoeff(Function):
    @staticmethod
    def forward(ctx, x, coeff):
        ctx.coeff = coeff  # 存成 ctx 的成员
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output):
        return ctx.coeff * grad_output, None  # coeff 不需要梯度


x = torch.tensor([2.], requires_grad=True)
ret = GradCoeff.apply(x, -0.1)
ret = ret ** 2
print(ret)
ret.backward()
print(x.grad)  # 2x * (-0.1) = -0.4
