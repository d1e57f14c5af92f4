# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/basics/tensorqs_tutorial.py
# (written for this corpus after that source's example; not copied)
import numpy as np
import torch

torch.manual_seed(0)
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)
print(x_np)

t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")
t.add_(1)  # a change in the tensor shows in the array: they share memory
print(f"t: {t}")
print(f"n: {n}")

n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)  # and the other way round
print(f"t: {t}")
print(f"n: {n}")

tensor = torch.ones(4, 4)
tensor[:, 1] = 0
agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
w = torch.from_numpy(np.linspace(0, 1, 4).astype(np.float32)).requires_grad_()
loss = (tensor @ w).pow(2).sum()
loss.backward()
print(w.grad.numpy())
