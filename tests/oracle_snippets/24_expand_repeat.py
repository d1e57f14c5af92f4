# expand (a view, no copy) and repeat (a copy): both spread one value to many
# places, so in backward the gradients of those places are summed.
import torch

v = torch.tensor([[1.], [2.]], requires_grad=True)
u = torch.tensor([1., 2.], requires_grad=True)
e = v.expand(2, 3)
f = u.repeat(2)
g = u.expand_as(torch.ones(3, 2))
print(e.shape, f, g.shape)
(e.sum() + (f * torch.tensor([1., 2., 3., 4.])).sum() + g.sum()).backward()
# v: each row copied to 3 columns -> 3. u: repeat gives weights 1+3 and 2+4, expand_as adds 3.
print(v.grad)
print(u.grad)
