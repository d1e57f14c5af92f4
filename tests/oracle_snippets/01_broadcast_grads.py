# Broadcasting in the forward pass means summing in the backward pass.
import torch

x = torch.tensor([[1., 2., 3., 4.], [5., 6., 7., 8.], [9., 10., 11., 12.]], requires_grad=True)
# b has shape (4,): it is broadcast over the 3 rows of x, like a bias.
b = torch.tensor([0.5, -0.5, 1., 2.], requires_grad=True)
# col has shape (3, 1) and row shape (1, 4): both are broadcast to (3, 4).
col = torch.tensor([[1.], [2.], [3.]], requires_grad=True)
row = torch.tensor([[1., 10., 100., 1000.]], requires_grad=True)
y = (x + b) * col + row
y.sum().backward()
# Each element of b was used in 3 rows, weighted by col: b.grad = 1 + 2 + 3 = 6 each.
print(b.grad)
# col.grad[i] sums (x + b) over row i, because col[i] was spread over 4 columns.
print(col.grad)
# row was spread over 3 rows with weight 1: row.grad = 3 everywhere.
print(row.grad)
# x was not broadcast: its gradient has its own shape, the value of col per row.
print(x.grad)
