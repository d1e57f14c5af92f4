# Reading sizes and plain Python values out of tensors.
import torch

x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
print(x.size(), x.size(1), x.shape)
print(x.numel(), x.dim(), x.ndim, len(x))
s = x.sum()
# item() turns a one-element tensor into a Python number (no graph attached).
print(s.item())
# tolist() gives nested Python lists.
print(x.tolist())
s.backward()
print(x.grad.tolist())
