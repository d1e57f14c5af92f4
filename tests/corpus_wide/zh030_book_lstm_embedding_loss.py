# Modeled on: https://github.com/chenyuntc/pytorch-book/blob/master/Chapter4/Chapter4.ipynb
# (written for this corpus after that source's example; not copied)
import torch as t
from torch import nn

t.manual_seed(2021)
input = t.randn(2, 3, 4).float()  # 序列长 2，batch 3，每个元素 4 维
lstm = nn.LSTM(4, 3, 1)
h0 = t.randn(1, 3, 3)
c0 = t.randn(1, 3, 3)
out1, hn = lstm(input, (h0, c0))
print(out1.shape)

t.manual_seed(2021)
input = t.randn(2, 3, 4).float()
cell = nn.LSTMCell(4, 3)
hx = t.randn(3, 3)
cx = t.randn(3, 3)
out = []
for i_ in input:
    hx, cx = cell(i_, (hx, cx))
    out.append(hx)
out2 = t.stack(out)
print(out2.shape)
out2.sum().backward()
print(cell.weight_hh.grad.shape)

embedding = nn.Embedding(4, 5)
weight = t.arange(0, 20).view(4, 5).float()
pretrained = nn.Embedding.from_pretrained(weight)  # 用预训练的词向量
print(pretrained.weight.requires_grad)
idx = t.arange(3, 0, -1).long()
output = embedding(idx)
print(output.shape)
output.sum().backward()
print(embedding.weight.grad)

score = t.randn(3, 2)
label = t.Tensor([1, 0, 1]).long()  # label 必须是 LongTensor
criterion = nn.CrossEntropyLoss()
loss = criterion(score, label)
print(loss)
