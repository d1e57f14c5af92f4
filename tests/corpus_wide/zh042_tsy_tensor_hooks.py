# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-4/05_hook.ipynb
# (written for this corpus after that source's example; not copied)
import torch

y_grad = list()


def grad_hook(grad):
    y_grad.append(grad)  # 把非叶子结点的梯度存下来


x = torch.tensor([2., 2., 2., 2.], requires_grad=True)
y = torch.pow(x, 2)
z = torch.mean(y)
h = y.register_hook(grad_hook)
z.backward()
print("y.grad: ", y.grad)
print("y_grad[0]: ", y_grad[0])
h.remove()


def double_hook(grad):
    grad *= 2  # 原地修改梯度


x = torch.tensor([2., 2., 2., 2.], requires_grad=True)
y = torch.pow(x, 2)
z = torch.mean(y)
h = x.register_hook(double_hook)
z.backward()
print(x.grad)
h.remove()

w = torch.tensor([1.], requires_grad=True)
v = torch.tensor([2.], requires_grad=True)
a = torch.add(w, v)
b = torch.add(w, 1)
out = torch.mul(a, b)
a_grad = list()
handle = a.register_hook(lambda grad: a_grad.append(grad))
out.backward()
print("gradient:", w.grad, v.grad, a.grad, b.grad, out.grad)
print("a_grad[0]: ", a_grad[0])
handle.remove()
