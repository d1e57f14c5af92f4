# matmul broadcasts the batch dimensions, but the matrix dimensions must still agree,
# and batch dimensions must be broadcastable.
# Ends in an error on purpose: batch sizes 2 and 3 cannot be broadcast together.
import torch

X = torch.ones(2, 4, 3, requires_grad=True)
W = torch.ones(3, 5, requires_grad=True)
# (2, 4, 3) @ (3, 5): W is broadcast over the batch, giving (2, 4, 5).
Y = X @ W
print(Y.shape)
V = torch.ones(3, 3, 5)
Z = torch.matmul(X, V)
