# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-2/05_computational_graphs.py
# (written for this corpus after that source's example; not copied)
# Adapted: the unused torchvision and PIL imports are left out (not installed here).
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd.function import Function
from torch.utils.data import DataLoader, Dataset

if __name__ == "__main__":
    w = torch.tensor([1.], requires_grad=True)
    x = torch.tensor([2.], requires_grad=True)
    a = torch.add(w, x)
    b = torch.add(w, 1)  # 可以试试 b.retain_grad()
    y = torch.mul(a, b)
    y.backward()
    print(w.grad)
    # 哪些是叶子结点
    print("is_leaf:\n", w.is_leaf, x.is_leaf, a.is_leaf, b.is_leaf, y.is_leaf)
    # 非叶子结点的梯度被释放
    print("gradient:\n", w.grad, x.grad, a.grad, b.grad, y.grad)
    print("grad_fn:\n", w.grad_fn, x.grad_fn, a.grad_fn, b.grad_fn, y.grad_fn)
