"""Pure analysis of run records (no torch, no rendering)."""
