# torch.mm needs (m, n) @ (n, p): the inner sizes must agree.
# Ends in an error on purpose (mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)).
import torch

A = torch.ones(2, 3, requires_grad=True)
B = torch.ones(2, 3, requires_grad=True)
# Transposing B makes it (3, 2): this one works and gives a (2, 2) result.
C = torch.mm(A, B.t())
print(C.shape)
D = torch.mm(A, B)
