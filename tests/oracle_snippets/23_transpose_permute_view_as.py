# .T, .mT, permute, contiguous and view_as: reshaping moves gradients back to their place.
import torch

x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
# .T reverses the dimensions of a 2-D tensor; .mT swaps the last two (batched transpose).
print(x.T.shape, x.mT.shape)
b = torch.arange(24.).reshape(2, 3, 4)
print(b.mT.shape, b.permute(2, 0, 1).shape)
y = x.permute(1, 0).contiguous()
# view_as gives y the shape of another tensor: (3, 2) -> (2, 3)
z = y.view_as(x)
weights = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
(z * weights).sum().backward()
# z holds x's elements in transposed order, so x.grad is weights rearranged back.
print(z)
print(x.grad)
