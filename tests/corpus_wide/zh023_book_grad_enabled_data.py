# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter3/chapter3.ipynb
# (written for this corpus after that source's example; not copied)
import torch as t

t.manual_seed(0)
x = t.ones(1, requires_grad=True)
w = t.rand(1, requires_grad=True)
y = x * w
print(x.requires_grad, w.requires_grad, y.requires_grad)

with t.no_grad():
    x = t.ones(1)
    w = t.rand(1, requires_grad=True)
    y = x * w
print(x.requires_grad, w.requires_grad, y.requires_grad)  # y 不需要求导

t.set_grad_enabled(False)  # 改了全局设置
x = t.ones(1)
w = t.rand(1, requires_grad=True)
y = x * w
print(x.requires_grad, w.requires_grad, y.requires_grad)
t.set_grad_enabled(True)  # 改回来

a = t.ones(3, 4, requires_grad=True)
b = t.ones(3, 4, requires_grad=True)
c = a * b
print(a.data)  # 还是 tensor
print(a.data.requires_grad)  # 但已经脱离计算图

x = t.ones(3, requires_grad=True)
w = t.rand(3, requires_grad=True)
y = x * w
z = y.sum()
print(x.requires_grad, w.requires_grad, y.requires_grad)
z.backward()
print(x.grad, w.grad, y.grad)  # 非叶子节点的 grad 是 None
