# Modeled on: https://github.com/pytorch/pytorch/issues/44023
# (written for this corpus after that source's example; not copied)
# Also after the fix reported in https://github.com/zhuangdizhu/FedGen/issues/1 (np.sum over
# tensors that require grad).
# Ends on PyTorch's error: numpy() on a tensor that requires grad.
import numpy as np
import torch

torch.manual_seed(0)
w = torch.randn(3, requires_grad=True)
test_losses = [(w * k).sum() for k in range(1, 4)]
test_samples = [10, 20, 30]
glob_loss = np.sum([x * y.detach() for (x, y) in zip(test_samples, test_losses)]).item() / np.sum(test_samples)
print(round(glob_loss, 4))
print(w.detach().numpy().shape)
loss = test_losses[0]
loss.backward()
print(w.grad)
print(w.numpy())
