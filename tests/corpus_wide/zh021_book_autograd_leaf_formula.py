# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter3/chapter3.ipynb
# (written for this corpus after that source's example; not copied)
import torch as t

t.manual_seed(0)
a = t.randn(3, 4, requires_grad=True)
print(a.requires_grad)
b = t.zeros(3, 4).requires_grad_()
c = (a + b).sum()
c.backward()
print(c)
print(a.grad)
print(a.requires_grad, b.requires_grad, c.requires_grad)  # c 依赖 a，所以也需要求导
print(a.is_leaf, b.is_leaf, c.is_leaf)

d = t.rand(10, requires_grad=True) + 2
print(d.is_leaf)  # 计算得到的，不是叶子


def f(x):
    '''y = x^2 * e^x'''
    return x ** 2 * t.exp(x)


def gradf(x):
    '''手工推导的导数'''
    return 2 * x * t.exp(x) + x ** 2 * t.exp(x)


x = t.randn(3, 4, requires_grad=True)
y = f(x)
print(y)
y.backward(t.ones(y.size()))  # gradient 与 y 同形
print(x.grad)
print(gradf(x))
print(t.allclose(x.grad, gradf(x)))
