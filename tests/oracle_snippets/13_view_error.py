# view() never copies, so it needs compatible memory layout: after a transpose the
# tensor is not contiguous and view() fails. reshape() or .contiguous().view() work.
# Ends in an error on purpose (view size is not compatible with input tensor's size and stride).
import torch

x = torch.arange(6.).reshape(2, 3)
# t is (3, 2) but its elements still sit in x's (2, 3) row-major order.
t = x.t()
# contiguous() copies t into its own row-major order; then view works.
ok = t.contiguous().view(6)
print(ok)
bad = t.view(6)
