# A training-like loop: rebuild the graph, backward, update under no_grad, zero the grad.
# No retain_graph is needed: every iteration builds a new graph from w.
import torch

w = torch.tensor([0.0, 0.0], requires_grad=True)
x = torch.tensor([[1., 2.], [2., 1.], [1., 1.]])
y = torch.tensor([5., 4., 3.])
for step in range(4):
    pred = x @ w
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    # The update itself must not be recorded, and w is a leaf: no_grad allows w -= ...
    with torch.no_grad():
        w -= 0.1 * w.grad
    # Without this, the next iteration's gradient would be added to this one.
    w.grad.zero_()
    print(step, loss.item())
print(w)
