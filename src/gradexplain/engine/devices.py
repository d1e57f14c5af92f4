"""Which devices exist here, and the device a scenario asks for."""

from __future__ import annotations

import torch

from gradexplain.errors import GradexplainError


def available_devices() -> list[str]:
    found = ["cpu"]
    if torch.cuda.is_available():
        found += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found


def resolve_device(requested: str) -> torch.device:
    """`auto` picks cuda, then mps, then cpu; anything missing is device_unavailable."""
    available = available_devices()
    if requested == "auto":
        for prefix in ("cuda", "mps", "cpu"):
            match = next((d for d in available if d.startswith(prefix)), None)
            if match:
                return torch.device(match)
    name = "cuda:0" if requested == "cuda" else requested
    if name in available:
        return torch.device(requested)
    raise GradexplainError(
        "device_unavailable",
        f"device '{requested}' is not available on this machine (it has: "
        f"{', '.join(available)})",
        hint="run with --device cpu, or --device auto to pick the best one available",
        facts={"device": requested, "available": available},
    )
