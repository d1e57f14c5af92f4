# cat joins along an existing dimension, stack adds a new one; gradients are split back.
import torch

a = torch.tensor([1., 2.], requires_grad=True)
b = torch.tensor([3., 4.], requires_grad=True)
c = torch.cat([a, b])
s = torch.stack([a, b], dim=0)
print(c.shape, s.shape)
weights = torch.tensor([1., 2., 3., 4.])
# a gets weights[0:2] from c plus 1 from s; b gets weights[2:4] plus 1 from s.
loss = (c * weights).sum() + s.sum()
loss.backward()
print(a.grad)
print(b.grad)
