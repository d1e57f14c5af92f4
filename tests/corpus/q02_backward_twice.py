# Modeled on: https://discuss.pytorch.org/t/runtimeerror-trying-to-backward-through-the-graph-a-second-time/
# (written for this corpus after that source's example; not copied)
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x ** 2
y.backward(retain_graph=True)
y.backward()
print(x.grad)
z = x ** 3
z.backward()
try:
    z.backward()
except RuntimeError:
    print("second backward fails without retain_graph")
