# Modeled on: https://discuss.pytorch.org/t/variable-deprecated/
# (written for this corpus after that source's example; not copied)
import torch
from torch.autograd import Variable

x = Variable(torch.ones(2, 2), requires_grad=True)
y = x * 3
out = y.mean()
out.backward()
print(x.grad)
print(type(x) == type(torch.ones(1)))
