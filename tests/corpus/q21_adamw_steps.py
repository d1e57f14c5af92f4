# Modeled on: https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html
# (written for this corpus after that source's example; not copied)
import torch

torch.manual_seed(0)
w = torch.randn(3, requires_grad=True)
opt = torch.optim.AdamW([w], lr=0.1, weight_decay=0.01)
for step in range(5):
    opt.zero_grad()
    loss = ((w - 1) ** 2).sum()
    loss.backward()
    opt.step()
print(w)
