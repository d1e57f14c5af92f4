import torch

# x is data (no grad); the optimizer updates w only.
x = torch.tensor([[1., 2.], [3., 4.]])
w = torch.tensor([0.5, -0.5], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
for _ in range(2):
    opt.zero_grad()
    loss = (x @ w).pow(2).mean()
    loss.backward()
    opt.step()
