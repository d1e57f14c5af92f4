# clamp, where and comparison masks: gradients flow only where the value came from x.
import torch

x = torch.tensor([-2., -0.5, 0.5, 2.], requires_grad=True)
# Clamped elements are constants: their gradient is 0.
c = torch.clamp(x, min=-1., max=1.)
# The mask is a bool tensor; where() picks x * 3 or x ** 2 element by element.
mask = x > 0
w = torch.where(mask, x * 3, x ** 2)
# Multiplying by the mask (as a float) zeroes the masked-out gradients.
m = x * mask.float()
(c + w + m).sum().backward()
print(mask)
# clamp gives [0, 1, 1, 0]; where gives [2x, 2x, 3, 3] = [-4, -1, 3, 3];
# the mask product gives [0, 0, 1, 1]. Total: [-4, 0, 5, 4].
print(x.grad)
