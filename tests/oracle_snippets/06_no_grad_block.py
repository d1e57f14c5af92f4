# Inside torch.no_grad() no graph is recorded: results do not require grad.
import torch

x = torch.tensor([1., 2., 3.], requires_grad=True)
with torch.no_grad():
    y = x * 2
    # enable_grad() switches recording back on inside a no_grad block.
    with torch.enable_grad():
        z = x * 3
# y has no grad_fn and does not require grad; z was recorded (grad_fn=<MulBackward0>).
print(y.requires_grad, y.grad_fn)
print(z)
# Only z is connected to x: x.grad = 3 everywhere.
z.sum().backward()
print(x.grad)
