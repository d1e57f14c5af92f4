import torch
from torch.utils.data import DataLoader, TensorDataset

# Two workers asked for: the batches are read in this process, and the note says so.
torch.manual_seed(0)
loader = DataLoader(TensorDataset(torch.arange(6.0)), batch_size=3, shuffle=True, num_workers=2)
for (batch,) in loader:
    print(batch)
