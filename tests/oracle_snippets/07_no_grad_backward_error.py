# Backward on a result made under no_grad fails: it has no grad_fn to start from.
# Ends in an error on purpose (RuntimeError: element 0 of tensors does not require grad...).
import torch

x = torch.tensor([1., 2., 3.], requires_grad=True)
with torch.no_grad():
    y = x * 2
print(y.requires_grad)
y.sum().backward()
