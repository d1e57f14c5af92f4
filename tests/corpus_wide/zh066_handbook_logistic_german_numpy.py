# Modeled on: https://github.com/zergtant/pytorch-handbook/blob/master/chapter3/3.1-logistic-regression.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: german.data-numeric (np.loadtxt) becomes a random table of the same width.
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
np.random.seed(0)
data = np.hstack([np.random.randn(200, 24) * 3 + 1, np.random.randint(1, 3, (200, 1))])
n, l = data.shape
for j in range(l - 1):  # 按列标准化
    meanVal = np.mean(data[:, j])
    stdVal = np.std(data[:, j])
    data[:, j] = (data[:, j] - meanVal) / stdVal
np.random.shuffle(data)
train_data = data[:150, :l - 1]
train_lab = data[:150, l - 1] - 1
test_data = data[150:, :l - 1]
test_lab = data[150:, l - 1] - 1


class LR(nn.Module):
    def __init__(self):
        super(LR, self).__init__()
        self.fc = nn.Linear(24, 2)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


def test(pred, lab):
    t = pred.max(-1)[1] == lab
    return torch.mean(t.float())


net = LR()
criterion = nn.CrossEntropyLoss()
optm = torch.optim.Adam(net.parameters())
for i in range(150):
    net.train()
    x = torch.from_numpy(train_data).float()
    y = torch.from_numpy(train_lab).long()
    y_hat = net(x)
    loss = criterion(y_hat, y)
    optm.zero_grad()
    loss.backward()
    optm.step()
    if (i + 1) % 50 == 0:
        net.eval()
        test_out = net(torch.from_numpy(test_data).float())
        accu = test(test_out, torch.from_numpy(test_lab).long())
        print("Epoch:{},Loss:{:.4f},Accuracy：{:.2f}".format(i + 1, loss.item(), accu))
