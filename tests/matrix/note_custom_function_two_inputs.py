import torch


class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x * w

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return grad * w, grad * x


a = torch.tensor([1., 2.], requires_grad=True)
s = torch.tensor([3., 4.], requires_grad=True)
Scale.apply(a, s).sum().backward()
