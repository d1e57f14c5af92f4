# Indexing (slices, None, ..., boolean masks): the gradient goes back only to the
# elements that were picked; the rest get 0.
import torch

x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
first_col = x[:, 0]
last_row = x[-1, ...]
# None adds a dimension of size 1: (1, 2, 3)
lifted = x[None]
big = x[x > 4.]
print(first_col, last_row, lifted.shape, big)
# x[1, 0] is picked by both first_col and last_row: its gradient is 1 + 1 = 2.
loss = first_col.sum() + last_row.sum() + 10 * big.sum() + lifted[0, 0, 1]
loss.backward()
print(x.grad)
