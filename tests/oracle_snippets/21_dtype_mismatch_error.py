# Matrix products need both operands in the same dtype (no automatic promotion).
# Ends in an error on purpose (expected m1 and m2 to have the same dtype, but got: float
# != double). Fix: B.float() or A.double().
import torch

A = torch.ones(2, 2, requires_grad=True)
B = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
# Elementwise ops do promote: float32 + float64 -> float64.
print((A + B).dtype)
C = torch.mm(A, B)
