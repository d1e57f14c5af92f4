# Modeled on: https://github.com/corleytd/PyTorchBasic/blob/master/codes/1_basic/computational_graph.py
# (written for this corpus after that source's example; not copied)
import torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
b.retain_grad()  # 保留非叶子节点 b 的梯度
y = torch.mul(a, b)
y.backward()
print(w.grad)
print(w.is_leaf, x.is_leaf, a.is_leaf, b.is_leaf, y.is_leaf)
print(w.grad, x.grad, a.grad, b.grad, y.grad)
print(w.grad_fn, x.grad_fn, a.grad_fn, b.grad_fn, y.grad_fn)
