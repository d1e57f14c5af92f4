# retain_grad(): keep the gradient of an intermediate (non-leaf) tensor.
import torch

x = torch.tensor([1., 2., 3.], requires_grad=True)
h = x * 2
# h is not a leaf; without this line h.grad would be None after backward.
h.retain_grad()
y = (h ** 2).sum()
y.backward()
# dy/dh = 2h = [4, 8, 12]
print(h.grad)
# dy/dx = dy/dh * dh/dx = 2h * 2 = [8, 16, 24]
print(x.grad)
print(h.is_leaf, x.is_leaf)
