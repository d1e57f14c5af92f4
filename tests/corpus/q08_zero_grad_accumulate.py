# Modeled on: https://discuss.pytorch.org/t/why-do-we-need-to-set-the-gradients-manually-to-zero-in-pytorch/
# (written for this corpus after that source's example; not copied)
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
for i in range(3):
    loss = (w * w).sum()
    loss.backward()
    print(i, w.grad.tolist())
w.grad.zero_()
(w * w).sum().backward()
print(w.grad)
