# Modeled on: https://discuss.pytorch.org/t/seed-and-version/
# (written for this corpus after that source's example; not copied)
import math

import torch

torch.manual_seed(0)
print(torch.cuda.is_available())
print(torch.pi == math.pi)
print(isinstance(torch.__version__, str))
xs = [torch.tensor(float(i), requires_grad=True) for i in range(3)]
total = sum(x * x for x in xs)
total.backward()
print([x.grad.item() for x in xs])
print(max(abs(-2), 1), min([3, 1, 2]), round(2.567, 2))
for i, (a, b) in enumerate(zip([1, 2], [3, 4])):
    print(i, a * b)
