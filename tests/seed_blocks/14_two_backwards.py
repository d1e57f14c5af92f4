# tutorial: One more example (y = (x + w) * (w + 1), backward twice)
# Restored as written; "\\n" in the tutorial's text is the newline escape "\n".
import torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)
# y=(x+w)*(w+1)
a = torch.add(w, x)
b = torch.add(w, 1)
y = torch.mul(a, b)
# Backward (torch.autograd.backward(y) does the same)
# torch.autograd.backward(y)
# dy/dw = b + a = 2 + 3 = 5, dy/dx = b = 2. Keep the graph for a second pass.
y.backward(retain_graph=True)
print("w's grad: {}\nx's grad: {}".format(w.grad, x.grad))
# print("a's grad: {}".format(a.grad))
# Zero the gradients (left commented out, as in the tutorial)
# w.grad.zero_()
# x.grad.zero_()
# Second backward: without zeroing, it adds on top: w 5 + 5 = 10, x 2 + 2 = 4.
y.backward()
print("w's grad: {}\nx's grad: {}".format(w.grad, x.grad))
