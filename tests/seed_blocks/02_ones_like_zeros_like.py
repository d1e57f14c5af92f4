# tutorial: torch.ones_like and torch.zeros_like
# Restored as written. The values of `input` are random; gradexplain seeds 0 first.
import torch

# Note: `input` shadows Python's built-in input(); the tutorial names it so,
# and in plain Python (and gradexplain) it is just a variable name here.
input = torch.rand(4, 6)
print(input)
# Same shape (and dtype, device) as input, filled with ones.
a = torch.ones_like(input)
print(a)
# Same shape as input, filled with zeros.
b = torch.zeros_like(input)
print(b)
