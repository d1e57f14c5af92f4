# Modeled on: https://pytorch.org/docs/stable/notes/extending.html
# (written for this corpus after that source's example; not copied)
import torch


class Clamp01(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(0, 1)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        mask = (x >= 0) & (x <= 1)
        return grad * mask


x = torch.tensor([-0.5, 0.5, 1.5], requires_grad=True)
y = Clamp01.apply(x)
y.backward(torch.ones(3))
print(y, x.grad)
