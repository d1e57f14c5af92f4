# Modeled on: https://discuss.pytorch.org/t/torch-floattensor-vs-torch-tensor/
# (written for this corpus after that source's example; not copied)
import torch

a = torch.FloatTensor([1, 2, 3])
a.requires_grad_()
b = (a * a).sum()
b.backward()
print(a.grad, a.dtype)
