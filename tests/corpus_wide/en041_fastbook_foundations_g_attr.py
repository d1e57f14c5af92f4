# Modeled on: https://github.com/fastai/fastbook/blob/master/17_foundations.ipynb
# (written for this corpus after that source's example; not copied)
# Adapted: the gradients computed by hand are compared with autograd's at the end.
from math import sqrt

import torch

torch.manual_seed(0)
x = torch.randn(20, 5)
y = x[:, 0] * 2 - x[:, 1]
w1 = torch.randn(5, 8) * sqrt(2 / 5)
b1 = torch.zeros(8)
w2 = torch.randn(8, 1) * sqrt(2 / 8)
b2 = torch.zeros(1)


class LayerFunction():
    def __call__(self, *args):
        self.args = args
        self.out = self.forward(*args)
        return self.out

    def forward(self): raise Exception('not implemented')
    def bwd(self): raise Exception('not implemented')
    def backward(self): self.bwd(self.out, *self.args)


class Relu(LayerFunction):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g


class Lin(LayerFunction):
    def __init__(self, w, b): self.w, self.b = w, b

    def forward(self, inp): return inp @ self.w + self.b

    def bwd(self, out, inp):
        inp.g = out.g @ self.w.t()
        self.w.g = inp.t() @ out.g
        self.b.g = out.g.sum(0)


class Mse(LayerFunction):
    def forward(self, inp, targ): return (inp.squeeze() - targ).pow(2).mean()

    def bwd(self, out, inp, targ):
        inp.g = 2 * (inp.squeeze() - targ).unsqueeze(-1) / targ.shape[0]


class Model():
    def __init__(self, w1, b1, w2, b2):
        self.layers = [Lin(w1, b1), Relu(), Lin(w2, b2)]
        self.loss = Mse()

    def __call__(self, x, targ):
        for l in self.layers: x = l(x)
        return self.loss(x, targ)

    def backward(self):
        self.loss.out.g = torch.tensor(1.0)
        self.loss.backward()
        for l in reversed(self.layers): l.backward()


model = Model(w1, b1, w2, b2)
loss = model(x, y)
model.backward()
print(loss)
manual = [w1.g, b1.g, w2.g, b2.g]
for t in (w1, b1, w2, b2):
    t.requires_grad_()
h = (x @ w1 + b1).clamp_min(0.)
loss2 = ((h @ w2 + b2).squeeze() - y).pow(2).mean()
loss2.backward()
print([torch.allclose(m, t.grad) for m, t in zip(manual, (w1, b1, w2, b2))])
