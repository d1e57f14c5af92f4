# tutorial: Gradients are not cleared automatically: x.grad.data.zero_()
# Restored as written.
import torch

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print(x.grad)
# print(y)  # all 3s
# print(z)  # all 27s
out.backward(retain_graph=True)
print(x.grad)
# Clear the accumulated gradient (x.grad.zero_() does the same).
x.grad.data.zero_()
# Now the second backward's 18 is all that is in x.grad.
z.backward(torch.ones_like(z))
print(x.grad)
