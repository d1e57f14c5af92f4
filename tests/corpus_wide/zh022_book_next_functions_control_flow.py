# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter3/chapter3.ipynb
# (written for this corpus after that source's example; not copied)
import torch as t

t.manual_seed(0)
x = t.ones(1)
b = t.rand(1, requires_grad=True)
w = t.rand(1, requires_grad=True)
y = w * x  # 等价于 y = w.mul(x)
z = y + b  # 等价于 z = y.add(b)
print(x.requires_grad, b.requires_grad, w.requires_grad)
print(y.requires_grad)
print(z.grad_fn)
print(z.grad_fn.next_functions)  # grad_fn 的输入
print(y.grad_fn.next_functions)
print(w.grad_fn, x.grad_fn)

z.backward(retain_graph=True)  # 保留中间缓存
print(w.grad)
z.backward()  # 再来一次，梯度累加
print(w.grad)


def abs_(x):
    if x.data[0] > 0:
        return x
    else:
        return -x


x = t.ones(1, requires_grad=True)
y = abs_(x)
y.backward()
print(x.grad)


def f(x):
    result = 1
    for ii in x:
        if ii.item() > 0:
            result = ii * result
    return result


x = t.arange(-2, 4).float().requires_grad_()
y = f(x)  # y = x[3] * x[4] * x[5]
y.backward()
print(x.grad)
