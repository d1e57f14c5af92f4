# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-2/06_autograd.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the ids are compared rather than printed (an address differs from run to run).
# Ends on PyTorch's error: an in-place change of a leaf that requires grad.
import torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
for i in range(4):
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)
    y.backward()
    print(w.grad)  # 梯度不会自动清零，一直累加

print(a.requires_grad, b.requires_grad, y.requires_grad)
print(a.is_leaf, b.is_leaf, y.is_leaf)

a = torch.ones((1, ))
first = id(a)
a = a + torch.ones((1, ))  # 新建了一个张量
print(id(a) == first, a)
second = id(a)
a += torch.ones((1, ))  # 原地操作，还是同一个对象
print(id(a) == second, a)

w = torch.tensor([1.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
w.add_(1)  # 叶子结点不能原地修改
y.backward()
