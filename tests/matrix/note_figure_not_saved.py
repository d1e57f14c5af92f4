import matplotlib.pyplot as plt
import torch

# The loss curve is the run's plot; savefig writes nothing, and the note says so.
losses = [1.0 / (step + 1) for step in range(5)]
plt.plot(losses)
plt.savefig('loss.png')
x = torch.tensor([1.0], requires_grad=True)
