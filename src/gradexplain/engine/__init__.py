"""The runner side: builds tensors, runs scenarios and records what autograd did."""
