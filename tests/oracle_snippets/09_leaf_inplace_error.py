# An in-place change of a leaf that requires grad is refused while recording.
# Ends in an error on purpose (RuntimeError: a leaf Variable that requires grad is being
# used in an in-place operation). Fix: do it under torch.no_grad(), or x = x + 1.
import torch

x = torch.ones(3, requires_grad=True)
x += 1
