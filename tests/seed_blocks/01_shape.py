# tutorial: shape
# Restored as written; only the line breaks of the nested for-loop were put back.
import torch

# A tensor of shape (4, 3): 4 rows, 3 columns.
# (The tutorial's comment says "(2, 3)", but it lists four rows.)
x = torch.Tensor([[1, 2, 3], [4, 5, 6], [1, 1, 1], [2, 2, 2]])
# len(x.shape) is the number of dimensions (2 here, a matrix).
print(len(x.shape))
# x.shape[0] is the number of rows, x.shape[1] the number of columns.
print(x.shape[0])
# Walk over every element. Indexing with two ints gives a 0-d tensor,
# which is why each line prints as tensor(1.) rather than 1.0.
for i in range(x.shape[0]):
    for j in range(x.shape[1]):
        print(x[i, j])
