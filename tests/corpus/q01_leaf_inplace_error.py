# Modeled on: https://discuss.pytorch.org/t/a-leaf-variable-that-requires-grad-has-been-used-in-an-in-place-operation/
# (written for this corpus after that source's example; not copied)
import torch

w = torch.randn(3, requires_grad=True)
try:
    w += 1
except RuntimeError as e:
    print("RuntimeError:", str(e).split(".")[0])
with torch.no_grad():
    w += 1
print(w.requires_grad, w.is_leaf)
