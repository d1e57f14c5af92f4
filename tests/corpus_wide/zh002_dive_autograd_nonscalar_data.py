# Modeled on: https://github.com/ShusenTang/Dive-into-DL-PyTorch/blob/master/code/chapter02_prerequisite/2.3_autograd.ipynb
# (written for this corpus after that source's example; not copied)
import torch

torch.manual_seed(0)
x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
y = 2 * x
z = y.view(2, 2)
print(z)

# z 不是标量，backward 需要传入与 z 同形的权重
v = torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)
z.backward(v)
print(x.grad)

# no_grad 里的计算不会被追踪
s = torch.tensor(1.0, requires_grad=True)
y1 = s ** 2
with torch.no_grad():
    y2 = s ** 3
y3 = y1 + y2
print(s, s.requires_grad)
print(y1, y1.requires_grad)
print(y2, y2.requires_grad)
print(y3, y3.requires_grad)
y3.backward()
print(s.grad)  # 只有 y1 贡献梯度

# 修改 .data 不会被 autograd 记录
t = torch.ones(1, requires_grad=True)
print(t.data)
print(t.data.requires_grad)
u = 2 * t
t.data *= 100
u.backward()
print(t)
print(t.grad)
