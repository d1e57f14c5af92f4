import torch

w = torch.tensor([1.], requires_grad=True)
b = torch.tensor([2.], requires_grad=True)
a = w + b
y = a * 3
y.backward()
print(a.grad)
