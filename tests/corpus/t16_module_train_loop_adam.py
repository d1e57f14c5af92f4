# Modeled on: https://github.com/pytorch/tutorials/blob/main/beginner_source/basics/optimization_tutorial.py
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn

torch.manual_seed(0)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(4 * 4, 8),
            nn.ReLU(),
            nn.Linear(8, 3),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork()
X = torch.randn(6, 4, 4)
target = torch.tensor([0, 1, 2, 0, 1, 2])
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(5):
    pred = model(X)
    loss = loss_fn(pred, target)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    print(f"loss: {loss.item():>7f}")
