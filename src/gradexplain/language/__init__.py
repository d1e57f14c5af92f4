"""The statement language: a safe subset of Python and PyTorch, interpreted from the AST."""
