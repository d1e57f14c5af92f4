# Modeled on: https://github.com/TingsongYu/PyTorch_Tutorial/blob/master/Code/3_optimizer/3_1_lossFunction/4_NLLLoss.py
# (written for this corpus after that source's example; not copied)
# Adapted: size_average/reduce (removed from torch) become reduction=...; KLDivLoss from
# 6_KLDivLoss.py of the same folder joins it.
import numpy as np
import torch
import torch.nn as nn

weight = torch.from_numpy(np.array([0.6, 0.2, 0.2])).float()  # 各类别的权重
output = torch.from_numpy(np.array([[0.7, 0.2, 0.1], [0.4, 1.2, 0.4]])).float()
output.requires_grad = True
target = torch.from_numpy(np.array([0, 0])).type(torch.LongTensor)
loss_f = nn.NLLLoss(weight=weight, reduction='none')
loss = loss_f(output, target)
print('\nloss: \n', loss)
print('第一个样本是0类，loss = -(0.6*0.7)={}'.format(loss[0]))
loss.sum().backward()
print(output.grad)

loss_f = nn.KLDivLoss(reduction='none')
loss_f_mean = nn.KLDivLoss(reduction='mean')
output = torch.from_numpy(np.array([[0.1132, 0.5477, 0.3390]])).float()
output.requires_grad = True
target = torch.from_numpy(np.array([[0.8541, 0.0511, 0.0947]])).float()
loss_1 = loss_f(output, target)
loss_mean = loss_f_mean(output, target)
print('\nloss: ', loss_1)
print('\nloss_mean: ', loss_mean)
out = output[0].detach().numpy()
target_1 = target[0][0].numpy()
manual = target_1 * (np.log(target_1) - out[0])  # 按公式手算第一个元素
print('第一个元素的loss：', manual)
