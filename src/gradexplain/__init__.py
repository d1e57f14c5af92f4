"""gradexplain: run PyTorch autograd scenarios and see what backward() did, and why."""

__version__ = "0.1.0"
