# Modeled on: https://github.com/corleytd/PyTorchBasic/blob/master/codes/1_basic/auto_grad.py
# (written for this corpus after that source's example; not copied)
# Adapted: ids are compared, not printed (an address changes from run to run).
import torch

torch.manual_seed(65537)

flag = True
if flag:  # retain_graph
    w = torch.tensor([1.], requires_grad=True)
    x = torch.tensor([2.], requires_grad=True)
    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)
    print(w.grad, x.grad)
    y.backward(retain_graph=True)
    print(w.grad, x.grad)

flag = True
if flag:  # 多个输出时的 gradient 权重
    w = torch.tensor([1.], requires_grad=True)
    x = torch.tensor([2.], requires_grad=True)
    a = torch.add(w, x)
    b = torch.add(w, 1)
    loss = torch.cat([torch.mul(a, b), torch.add(a, b)], dim=0)
    loss.backward(gradient=torch.tensor([1., 2.]), retain_graph=True)
    print(w.grad, x.grad)

flag = True
if flag:  # 梯度清零
    w = torch.tensor([1.], requires_grad=True)
    x = torch.tensor([2.], requires_grad=True)
    y = torch.mul(torch.add(w, x), torch.add(w, 1))
    for i in range(3):
        y.backward(retain_graph=True)
        print(w.grad, x.grad)
        w.grad.zero_()
        x.grad.zero_()

flag = False
if flag:  # 叶子节点不能原地修改
    w.add_(1)

flag = True
if flag:  # 原地操作不改变对象
    a = torch.ones((1,))
    old = id(a)
    a = a + 1
    print(id(a) == old, a)
    old = id(a)
    a += 1
    print(id(a) == old, a)
    a.add_(1)
    print(id(a) == old, a)
