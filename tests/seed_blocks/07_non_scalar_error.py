# tutorial: grad_tensors: z.backward(torch.ones_like(x))
# Restored as written; it ends in an error on purpose (on its last statement).
import torch

x = torch.ones(2, requires_grad=True)
z = x + 2
# z has 2 elements. backward() with no argument only knows how to start from a
# scalar (it seeds the gradient with 1.0), so this raises:
# RuntimeError: grad can be implicitly created only for scalar outputs
z.backward()
