"""Use cases (run, compare, plot): no Typer, no printing of their own."""
