weights = torch.ones(2, requires_grad=True)
out = weigths.sum()
