# Modeled on: https://pytorch.org/docs/stable/notes/autograd.html
# (written for this corpus after that source's example; not copied)
import torch

with torch.autograd.graph.allow_mutation_on_saved_tensors():
    a = torch.ones(3, requires_grad=True)
    b = a.clone()
    out = (b ** 2).sum()
    b.sin_()
    out.backward()
    print(a.grad)
