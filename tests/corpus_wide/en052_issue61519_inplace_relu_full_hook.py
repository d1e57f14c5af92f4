# Modeled on: https://github.com/pytorch/pytorch/issues/61519
# (written for this corpus after that source's example; not copied)
# Ends on PyTorch's error: an in-place ReLU after a module with a full backward hook.
import torch
from torch import nn

torch.manual_seed(0)
mod = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1),
                    nn.ReLU(inplace=True))
grads = []


def hook_g(module, grad_input, grad_output):
    grads.append(grad_output[0].shape)


out = mod(torch.rand(1, 3, 6, 6))  # fine without the hook
out.sum().backward()
print(mod[0].weight.grad.shape)
mod[2].register_full_backward_hook(hook_g)
out = mod(torch.rand(1, 3, 6, 6))
