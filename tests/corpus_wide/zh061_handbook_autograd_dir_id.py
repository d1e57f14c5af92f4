# Modeled on: https://github.com/zergtant/pytorch-handbook/blob/master/chapter2/2.1.2-pytorch-basics-autograd.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: notebook cells that only show a value are printed; dir() output is filtered.
import torch

torch.manual_seed(0)
print(torch.__version__)
x = torch.rand(3, 3, requires_grad=True)
y = torch.rand(3, 3, requires_grad=True)
z = torch.sum(x + y)
print(z)
z.backward()
print(x.grad, y.grad)

x = torch.rand(3, 3, requires_grad=True)
y = torch.rand(3, 3, requires_grad=True)
z = x ** 2 + y ** 3
# 返回值不是标量，需要传入同样大小的张量
z.backward(torch.ones_like(x))
print(x.grad)

with torch.no_grad():
    print((x + y * 2).requires_grad)

print('grad_fn' in dir(z), 'backward' in dir(z))  # 看看张量有哪些属性
print("x.is_leaf=" + str(x.is_leaf))
print("z.is_leaf=" + str(z.is_leaf))
print(z.grad_fn)
print([name for name in dir(z.grad_fn) if not name.startswith('_')][:5])
print(z.grad_fn.next_functions)
xg = z.grad_fn.next_functions[0][0]
x_leaf = xg.next_functions[0][0]
print(type(x_leaf))
print(x_leaf.variable.shape)
print(id(x_leaf.variable) == id(x))  # 叶子节点里保存的就是 x 本身
assert id(x_leaf.variable) == id(x)
