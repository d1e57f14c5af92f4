# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-2/06_autograd.ipynb
# (written for this corpus after that source's example; not copied)
# Ends on PyTorch's error: the second backward through a freed graph (the lesson's point).
import torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
y.backward(retain_graph=True)  # 保留计算图
print(w.grad)
y.backward()
print(w.grad)

# 不保留计算图，第二次 backward 会报错
w2 = torch.tensor([1.], requires_grad=True)
a2 = torch.add(w2, x)
b2 = torch.add(w2, 1)
y2 = torch.mul(a2, b2)
y2.backward()
print(w2.grad)
y2.backward()
