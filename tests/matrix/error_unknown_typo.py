import torch

weights = torch.ones(2, requires_grad=True)
out = weigths.sum()  # noqa: F821 (the typo under test)
