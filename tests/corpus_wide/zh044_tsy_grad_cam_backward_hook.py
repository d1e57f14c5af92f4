# Modeled on: https://github.com/TingsongYu/PyTorch-Tutorial-2nd/blob/main/code/chapter-4/05_hook_for_grad_cam.py
# (written for this corpus after that source's example; not copied)
# Adapted: a random 32x32 image and untrained weights instead of the saved net and cv2 I/O;
# the heat map is computed and summarized, not written to disk.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool1 = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool1(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        return self.fc2(F.relu(self.fc1(x)))


def backward_hook(module, grad_in, grad_out):
    grad_block.append(grad_out[0].detach())


def forward_hook(module, input, output):
    fmap_block.append(output)


def comp_class_vec(output_vec, index=None):
    if not index:
        index = np.argmax(output_vec.cpu().data.numpy())
    else:
        index = np.array(index)
    index = index[np.newaxis, np.newaxis]
    index = torch.from_numpy(index)
    one_hot = torch.zeros(1, 10).scatter_(1, index, 1)
    one_hot.requires_grad = True
    return torch.sum(one_hot * output_vec)


def gen_cam(feature_map, grads):
    cam = np.zeros(feature_map.shape[1:], dtype=np.float32)  # (H, W)
    weights = np.mean(grads, axis=(1, 2))  # 每个通道的权重
    for i, w in enumerate(weights):
        cam += w * feature_map[i, :, :]
    cam = np.maximum(cam, 0)
    cam -= np.min(cam)
    cam /= max(np.max(cam), 1e-8)
    return cam


if __name__ == '__main__':
    classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')
    fmap_block = list()
    grad_block = list()
    net = Net()
    net.conv2.register_forward_hook(forward_hook)
    net.conv2.register_full_backward_hook(backward_hook)

    img_input = torch.rand(1, 3, 32, 32)
    output = net(img_input)
    idx = np.argmax(output.cpu().data.numpy())
    print("predict: {}".format(classes[idx]))

    net.zero_grad()
    class_loss = comp_class_vec(output)
    class_loss.backward()

    grads_val = grad_block[0].cpu().data.numpy().squeeze()
    fmap = fmap_block[0].cpu().data.numpy().squeeze()
    cam = gen_cam(fmap, grads_val)
    print(cam.shape, cam.dtype, np.round(cam.max(), 3))
