# cross_entropy = log_softmax + negative log likelihood, averaged over the batch.
import torch
import torch.nn.functional as F

logits = torch.tensor([[2., 1., 0.], [0., 0., 0.]], requires_grad=True)
target = torch.tensor([0, 2])
probs = F.softmax(logits, dim=1)
# Each row of a softmax sums to 1.
print(probs.sum(dim=1))
loss = F.cross_entropy(logits, target)
loss.backward()
print(loss)
# The gradient is (softmax - one_hot(target)) / batch_size.
print(logits.grad)
