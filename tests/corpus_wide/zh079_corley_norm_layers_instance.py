# Modeled on: https://github.com/corleytd/PyTorchBasic/blob/master/codes/6_regularization/norm_layers.py
# (written for this corpus after that source's example; not copied)
import torch
from torch import nn

batch_size, num_features, features_shape = 3, 4, (2, 2)
feature_map = torch.ones(features_shape)  # 2D
feature_maps = torch.stack([feature_map * i for i in range(1, num_features + 1)], dim=0)  # 3D
feature_maps_bs = torch.stack([feature_maps for _ in range(batch_size)], dim=0)  # 4D
feature_maps_bs.requires_grad_(True)
print(f'input shape: {feature_maps_bs.shape}')

ln = nn.LayerNorm(feature_maps_bs.size()[1:], elementwise_affine=True)  # LayerNorm
output = ln(feature_maps_bs)
print(ln.weight.shape)
print(output[0, ...])

instance_norm = nn.InstanceNorm2d(num_features=num_features, momentum=0.3)  # InstanceNorm
outputs = instance_norm(feature_maps_bs + torch.arange(4.0).view(1, 1, 2, 2))
print(outputs[0])

gn = nn.GroupNorm(2, num_features)  # GroupNorm
outputs = gn(feature_maps_bs)
print(gn.weight.shape)
print(outputs[0])
outputs.sum().backward()
print(gn.weight.grad)
