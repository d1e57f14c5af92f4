# The gradient passed to backward must have the output's shape.
# Ends in an error on purpose (RuntimeError: Mismatch in shape: grad_output[0] has a shape
# of torch.Size([3]) and output[0] has a shape of torch.Size([2, 2])).
import torch

x = torch.ones(2, 2, requires_grad=True)
z = x * 2
z.backward(torch.ones(3))
