# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter3/chapter3.ipynb
# (written for this corpus after that source's example; not copied)
import torch as t

t.manual_seed(0)
# 方法一：autograd.grad 直接取中间变量的梯度
x = t.ones(3, requires_grad=True)
w = t.rand(3, requires_grad=True)
y = x * w
z = y.sum()
print(t.autograd.grad(z, y))


# 方法二：hook
def variable_hook(grad):
    print('y的梯度：', grad)


x = t.ones(3, requires_grad=True)
w = t.rand(3, requires_grad=True)
y = x * w
hook_handle = y.register_hook(variable_hook)
z = y.sum()
z.backward()
hook_handle.remove()  # 用完记得移除

z2 = (x * w).sum()
z2.backward()
print(w.grad)
