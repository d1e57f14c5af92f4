# Modeled on: https://github.com/yunjey/pytorch-tutorial/blob/master/tutorials/01-basics/linear_regression/main.py
# (written for this corpus after that source's example; not copied)
# Adapted: no torch.save of the checkpoint.
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
input_size, output_size, num_epochs, learning_rate = 1, 1, 60, 0.001
x_train = np.array([[3.1], [4.5], [5.2], [6.6], [6.9], [4.1], [9.7], [6.3],
                    [7.5], [2.1], [7.0], [10.8], [5.3], [8.0], [3.0]], dtype=np.float32)
y_train = np.array([[1.6], [2.8], [2.0], [3.1], [1.7], [1.5], [3.4], [2.6],
                    [2.5], [1.2], [2.8], [3.5], [1.6], [2.9], [1.3]], dtype=np.float32)
model = nn.Linear(input_size, output_size)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
for epoch in range(num_epochs):
    inputs = torch.from_numpy(x_train)
    targets = torch.from_numpy(y_train)
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 10 == 0:
        print('Epoch [{}/{}], Loss: {:.4f}'.format(epoch + 1, num_epochs, loss.item()))
predicted = model(torch.from_numpy(x_train)).detach().numpy()
plt.plot(x_train, y_train, 'ro', label='Original data')
plt.plot(x_train, predicted, label='Fitted line')
plt.legend()
plt.show()
