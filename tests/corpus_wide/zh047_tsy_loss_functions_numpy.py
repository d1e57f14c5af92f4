# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-5/01_loss_function.py
# (written for this corpus after that source's example; not copied)
import math

import numpy as np
import torch
import torch.nn as nn

if __name__ == "__main__":
    output = torch.ones(2, 2, requires_grad=True) * 0.5
    target = torch.ones(2, 2)
    for p in "none mean sum".split():
        loss_func = nn.L1Loss(reduction=p)
        loss_tmp = loss_func(output, target)
        print("reduction={}:loss={}, shape:{}".format(p, loss_tmp, loss_tmp.shape))

    output = torch.ones(2, 3, requires_grad=True) * 0.5
    target = torch.from_numpy(np.array([0, 1])).type(torch.LongTensor)
    for p in "none mean sum".split():
        loss_func = nn.CrossEntropyLoss(reduction=p)
        print("reduction={}:loss={}".format(p, loss_func(output, target)))

    # 按公式手算第一个样本
    out = output[0].detach().numpy()
    target_1 = target[0].numpy()
    x_class = out[target_1]
    sigma_exp_x = pow(math.e, out[0]) + pow(math.e, out[1]) + pow(math.e, out[2])
    loss_1 = -x_class + math.log(sigma_exp_x)
    print("手动计算，第一个样本的loss:{:.4f}".format(loss_1))

    weight = torch.from_numpy(np.array([0.6, 0.2, 0.2])).float()
    loss_f = nn.CrossEntropyLoss(weight=weight, reduction="none")
    logits = torch.ones(2, 3, requires_grad=True)
    loss = loss_f(logits * 0.5, target)
    print('loss: ', loss)
    loss.sum().backward()
    print(logits.grad)

    loss_f_1 = nn.CrossEntropyLoss(weight=None, reduction="none", ignore_index=1)
    output = torch.ones(3, 3, requires_grad=True) * 0.5
    target = torch.from_numpy(np.array([0, 1, 2])).type(torch.LongTensor)
    print('ignore_index = 1: ', loss_f_1(output, target))  # 第 1 类的 loss 为 0
