"""The process-wide state of torch (and of the interpreter) that scenario code can change.

A batch runs its scenarios one after another in one long-lived worker process
(app/batch.py): what one scenario leaves set must not change the next one. The allowlists let
code change these globals: the random generator (`torch.manual_seed`, every random op), grad
mode (`torch.set_grad_enabled(False)` as a call), inference mode, anomaly detection
(`torch.autograd.set_detect_anomaly(True)`), the default dtype and device (`--dtype`,
`torch.set_default_device`), the saved-tensor hooks stack and its switch
(`saved_tensors_hooks`, `disable_saved_tensors_hooks`) and the torch-function mode stack (a
device used as a context); numpy's and Python's random generators (`np.random.seed`,
`random.seed`) and the print options of torch and numpy (`set_printoptions`, which a run also
sets back itself). Thread counts and deterministic mode are not on the allowlists; they are
checked anyway, so that a hole there is noticed rather than inherited.

`snapshot()` before the first scenario, `restore()` after each one: it sets every global back
and reports whether the state now equals the snapshot; when it does not, the worker retires
and a fresh one is forked for the next scenario.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


@dataclass(frozen=True)
class State:
    """What `restore` compares; the random generator's state is kept beside it (a tensor)."""

    default_dtype: torch.dtype
    default_device: str
    grad_enabled: bool
    inference_mode: bool
    anomaly: tuple[bool, bool]  # enabled, check_nan
    deterministic: bool
    threads: int
    print_options: tuple[tuple[str, Any], ...]
    numpy_print_options: tuple[tuple[str, Any], ...]
    function_modes: int  # torch-function modes pushed (a device used as a context)
    dispatch_modes: int
    saved_hooks: bool  # a saved_tensors_hooks pair is pushed
    saved_hooks_enabled: bool
    recursion_limit: int


@dataclass(frozen=True)
class Snapshot:
    state: State
    rng: torch.Tensor
    numpy_rng: dict[str, Any]
    python_rng: tuple[Any, ...]
    printing: tuple[dict[str, Any], dict[str, Any]]


def seed_everything(seed: int) -> None:
    """Seed the generators scenario code draws from: torch's, numpy's and Python's `random`."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


@contextmanager
def scoped_to_the_run() -> Iterator[None]:
    """What a run's code may set for itself, set back when it ends: the print options of torch
    and numpy, and numpy's and Python's random generators (a re-run for --check-numeric
    draws from its own, as torch's fork_rng gives it; the Python API leaves the caller's
    generators as they were)."""
    printing = printing_options()
    numpy_rng = np.random.get_state(legacy=False)
    python_rng = random.getstate()
    try:
        yield
    finally:
        set_printing_options(printing)
        np.random.set_state(numpy_rng)
        random.setstate(python_rng)


def printing_options() -> tuple[dict[str, Any], dict[str, Any]]:
    """torch's and numpy's print options now (`set_printing_options` sets them back)."""
    return dict(vars(torch._tensor_str.PRINT_OPTS)), dict(np.get_printoptions())


def set_printing_options(saved: tuple[dict[str, Any], dict[str, Any]]) -> None:
    torch_options, numpy_options = saved
    for key, value in torch_options.items():
        setattr(torch._tensor_str.PRINT_OPTS, key, value)
    np.set_printoptions(**numpy_options)


def current() -> State:
    autograd = torch._C._autograd
    return State(
        default_dtype=torch.get_default_dtype(),
        default_device=str(torch.get_default_device()),
        grad_enabled=torch.is_grad_enabled(),
        inference_mode=torch.is_inference_mode_enabled(),
        anomaly=(torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()),
        deterministic=torch.are_deterministic_algorithms_enabled(),
        threads=torch.get_num_threads(),
        print_options=tuple(sorted(vars(torch._tensor_str.PRINT_OPTS).items())),
        numpy_print_options=tuple(sorted((k, repr(v)) for k, v in np.get_printoptions().items())),
        function_modes=torch._C._len_torch_function_stack(),
        dispatch_modes=torch._C._len_torch_dispatch_stack(),
        saved_hooks=autograd._top_saved_tensors_default_hooks(False) is not None,
        saved_hooks_enabled=autograd._saved_tensors_hooks_is_enabled(),  # type: ignore[attr-defined]
        recursion_limit=sys.getrecursionlimit(),
    )


def snapshot() -> Snapshot:
    return Snapshot(current(), torch.get_rng_state(), np.random.get_state(legacy=False),
                    random.getstate(), printing_options())


def restore(saved: Snapshot) -> bool:
    """Set the globals scenario code can change back to `saved`; True when everything now
    matches it (False: the caller must not run more code in this process)."""
    state = saved.state
    torch.set_rng_state(saved.rng)
    np.random.set_state(saved.numpy_rng)
    random.setstate(saved.python_rng)
    set_printing_options(saved.printing)
    torch.set_default_dtype(state.default_dtype)
    # `torch.set_default_device("cpu")` leaves a device mode pushed although the default
    # device reads "cpu" as before: every later operation would pay its Python dispatch.
    if str(torch.get_default_device()) != state.default_device or \
            torch._C._len_torch_function_stack() != state.function_modes:
        torch.set_default_device(None if state.default_device == "cpu"
                                 else state.default_device)
    torch.set_grad_enabled(state.grad_enabled)
    torch.autograd.set_detect_anomaly(*state.anomaly)
    autograd = torch._C._autograd
    if state.saved_hooks_enabled and not autograd._saved_tensors_hooks_is_enabled():  # type: ignore[attr-defined]
        autograd._saved_tensors_hooks_enable()
    sys.setrecursionlimit(state.recursion_limit)
    # Inference mode, mode stacks and pushed hooks are scoped (a `with` the interpreter
    # always leaves); if one is still set, something went wrong: compare, and retire.
    return current() == state
