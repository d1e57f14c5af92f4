import torch
from torch.autograd import Variable

# Variable() on a data tensor and on a parameter: both are plain tensors since 0.4
w = Variable(torch.tensor([1., 2.]), requires_grad=True)
(w * w).sum().backward()
