# torch.autograd.backward with several outputs and one grad_tensor for each.
import torch

x = torch.tensor([1., 2.], requires_grad=True)
y1 = x * 3
y2 = x ** 2
# Equivalent to (y1 * [1, 1] + y2 * [0.5, 2]).sum().backward():
# each grad_tensor weights the elements of its output.
torch.autograd.backward([y1, y2], grad_tensors=[torch.ones(2), torch.tensor([0.5, 2.])])
# x.grad = 3 * 1 + 2x * [0.5, 2] = [3 + 1, 3 + 8] = [4, 11]
print(x.grad)
