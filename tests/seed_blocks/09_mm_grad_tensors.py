# tutorial: A more complex example: z.backward(torch.Tensor([[1., 0]]))
# Restored as written.
import torch

# Careful: .view(1, 2) is applied AFTER the leaf is created, so x is a view of an
# unnamed leaf, not a leaf itself. x.grad stays None (PyTorch warns); the gradient
# [1., 3.] lands in the hidden leaf. To get it in x, write
# x = torch.tensor([[2., 1.]], requires_grad=True).
x = torch.tensor([2., 1.], requires_grad=True).view(1, 2)
y = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
z = torch.mm(x, y)
print(f"z:{z}")
# z is (1, 2); the gradient [[1., 0]] weights z[0,0] by 1 and z[0,1] by 0,
# i.e. this is the gradient of z[0, 0] alone.
z.backward(torch.Tensor([[1., 0]]), retain_graph=True)
print(f"x.grad: {x.grad}")
print(f"y.grad: {y.grad}")
