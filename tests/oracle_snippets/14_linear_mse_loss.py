# A linear layer and a mean squared error loss, written with F.
# W comes from torch.randn: gradexplain seeds 0 before running (torch.manual_seed(0)).
import torch
import torch.nn.functional as F

W = torch.randn(2, 3, requires_grad=True)
b = torch.zeros(2, requires_grad=True)
x = torch.tensor([[1., 2., 3.], [0., -1., 1.]])
target = torch.tensor([[1., 0.], [0., 1.]])
# F.linear(x, W, b) is x @ W.T + b: (2, 3) @ (3, 2) -> (2, 2)
pred = F.linear(x, W, b)
loss = F.mse_loss(pred, target)
loss.backward()
print(pred)
print(loss)
# d(loss)/d(pred) = 2 * (pred - target) / 4; b.grad sums it over the batch rows.
print(b.grad)
print(W.grad)
