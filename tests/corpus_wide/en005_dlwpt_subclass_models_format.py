# Modeled on: https://github.com/deep-learning-with-pytorch/dlwpt-code/blob/master/p1ch6/3_nn_module_subclassing.ipynb
# (written for this corpus after that source's example; not copied)
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_printoptions(edgeitems=2, linewidth=75)
seq_model = nn.Sequential(nn.Linear(1, 11), nn.Tanh(), nn.Linear(11, 1))
namedseq_model = nn.Sequential(OrderedDict([
    ('hidden_linear', nn.Linear(1, 12)),
    ('hidden_activation', nn.Tanh()),
    ('output_linear', nn.Linear(12, 1)),
]))


class SubclassModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden_linear = nn.Linear(1, 13)
        self.hidden_activation = nn.Tanh()
        self.output_linear = nn.Linear(13, 1)

    def forward(self, input):
        hidden_t = self.hidden_linear(input)
        activated_t = self.hidden_activation(hidden_t)
        return self.output_linear(activated_t)


subclass_model = SubclassModel()
print(subclass_model)
for type_str, model in [('seq', seq_model), ('namedseq', namedseq_model),
                        ('subclass', subclass_model)]:
    print(type_str)
    for name_str, param in model.named_parameters():
        print("{:21} {:19} {}".format(name_str, str(param.shape), param.numel()))
    print()


class SubclassFunctionalModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden_linear = nn.Linear(1, 14)
        self.output_linear = nn.Linear(14, 1)

    def forward(self, input):
        return self.output_linear(torch.tanh(self.hidden_linear(input)))


func_model = SubclassFunctionalModel()
out = func_model(torch.linspace(0, 1, 5).unsqueeze(1))
out.sum().backward()
print(func_model.output_linear.weight.grad)
