# Modeled on: https://github.com/d2l-ai/d2l-en/blob/master/chapter_multilayer-perceptrons/numerical-stability-and-init.md
# (written for this corpus after that source's example; not copied)
import torch

torch.manual_seed(0)
M = torch.normal(0, 1, size=(4, 4))
print('a single matrix \n', M)
for i in range(100):
    M = M @ torch.normal(0, 1, size=(4, 4))
print('after multiplying 100 matrices\n', M.abs().max() > 1e10)
