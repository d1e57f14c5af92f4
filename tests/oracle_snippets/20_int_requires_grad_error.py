# Only floating point (and complex) tensors can require gradients.
# Ends in an error on purpose (RuntimeError: Only Tensors of floating point and complex
# dtype can require gradients). Fix: torch.tensor([1., 2., 3.], requires_grad=True).
import torch

ok = torch.tensor([1., 2., 3.], requires_grad=True)
print(ok.dtype)
bad = torch.tensor([1, 2, 3], requires_grad=True)
