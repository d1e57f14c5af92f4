# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-5/02_optimizer.py
# (written for this corpus after that source's example; not copied)
import torch
import torch.optim as optim

torch.manual_seed(0)

if __name__ == "__main__":
    w1 = torch.randn(2, 2)
    w1.requires_grad = True
    w2 = torch.randn(2, 2)
    w2.requires_grad = True
    w3 = torch.randn(2, 2)
    w3.requires_grad = True

    optimizer_1 = optim.SGD([w1, w3], lr=0.1)  # 一个参数组
    print('len(optimizer.param_groups): ', len(optimizer_1.param_groups))
    optimizer_2 = optim.SGD([{'params': w1, 'lr': 0.1}, {'params': w2, 'lr': 0.001}])
    print('len(optimizer.param_groups): ', len(optimizer_2.param_groups))
    print([g['lr'] for g in optimizer_2.param_groups])

    optimizer = optim.SGD([w1, w2], lr=0.001, momentum=0.9)
    optimizer.param_groups[0]['params'][0].grad = torch.randn(2, 2)
    print('参数w1的梯度：')
    print(optimizer.param_groups[0]['params'][0].grad)
    optimizer.zero_grad()
    print('执行zero_grad()之后，参数w1的梯度：')
    print(optimizer.param_groups[0]['params'][0].grad)
    print("state dict:{}".format(optimizer.state_dict()))

    optimizer_1.add_param_group({'params': w2, 'lr': 0.001, 'momentum': 0.8})  # 增加一组
    print('当前参数组个数: ', len(optimizer_1.param_groups))
    loss = (w1 * w2 * w3).sum()
    loss.backward()
    optimizer_1.step()
    print(w2)
