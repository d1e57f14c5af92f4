"""torch.utils.data in this process: `DataLoader` built by PyTorch itself (so its batches,
shuffled by the scenario's seed, and its collation are PyTorch's), but never with worker
processes, samplers of the code's own or a multiprocessing context.

A dataset is the user's `Dataset` subclass (its `__getitem__`/`__len__` re-enter the
interpreter: language/classes.py), one of torch's (`TensorDataset`, `Subset`,
`ConcatDataset`, `random_split`'s parts), or a list or tensor; a `collate_fn` of the code's
own is a re-entering wrapper like every callable torch receives.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from gradexplain.errors import SourceLocation, not_allowed
from gradexplain.language.classify import CodeTypeError, CodeValueError
from gradexplain.language.compiler import State
from gradexplain.language.functions import torch_callable
from gradexplain.language.values import Function, InterpretedObject
from gradexplain.limits import check

# DataLoader's parameters in PyTorch's order (positional arguments are bound by it).
LOADER_PARAMETERS = ("dataset", "batch_size", "shuffle", "sampler", "batch_sampler",
                     "num_workers", "collate_fn", "pin_memory", "drop_last", "timeout",
                     "worker_init_fn", "multiprocessing_context", "generator")
# What decides the batches: passed to PyTorch as given (a sampler only one of PyTorch's own:
# the code cannot define a Sampler class).
PASSED = ("dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "drop_last",
          "collate_fn", "generator")
# What only decides how batches are read (processes, pinned memory, waiting): the loader runs
# in this process, so these are left out; num_workers > 0 is noted (data_loader_in_process).
IN_PROCESS = frozenset({"num_workers", "pin_memory", "timeout", "worker_init_fn",
                        "prefetch_factor", "persistent_workers"})
SAMPLERS = (torch.utils.data.RandomSampler, torch.utils.data.SequentialSampler,
            torch.utils.data.SubsetRandomSampler, torch.utils.data.WeightedRandomSampler,
            torch.utils.data.BatchSampler)
# What a dataset may be: anything else could make PyTorch call code outside the interpreter.
DATASET_TYPES = (torch.utils.data.Dataset, InterpretedObject, list, tuple, torch.Tensor)


def data_function(it: State, callee: Function, args: list[object], kwargs: dict[str, object],
                  location: SourceLocation | None) -> object:
    """`DataLoader(...)` built here; torch.utils.data's other functions (TensorDataset,
    random_split, Subset, ConcatDataset) run as PyTorch's, on checked datasets."""
    if callee.name == "DataLoader":
        return _data_loader(it, args, kwargs, location)
    if callee.name in {"random_split", "Subset", "RandomSampler", "SequentialSampler"}:
        _check_dataset(args[0] if args else kwargs.get("dataset"), location)
    if callee.name in {"RandomSampler", "WeightedRandomSampler"}:  # indices it will draw
        position = 2 if callee.name == "RandomSampler" else 1
        samples = kwargs.get("num_samples", args[position] if len(args) > position else None)
        if isinstance(samples, int):
            check("max_elements", samples, it.limits, location)
    make: Callable[..., object] = callee.fn
    return make(*args, **kwargs)


def _data_loader(it: State, args: list[object], kwargs: dict[str, object],
                 location: SourceLocation | None) -> torch.utils.data.DataLoader[object]:
    if len(args) > len(LOADER_PARAMETERS):
        raise CodeTypeError(f"DataLoader() takes at most {len(LOADER_PARAMETERS)} positional "
                            f"arguments ({len(args)} given)")
    bound = dict(zip(LOADER_PARAMETERS, args, strict=False))
    for key, value in kwargs.items():
        if key in bound:
            raise CodeTypeError(f"DataLoader() got multiple values for argument '{key}'")
        bound[key] = value
    for key, value in bound.items():
        if key not in PASSED and key not in IN_PROCESS and value is not None:
            raise not_allowed(f"DataLoader's {key}= is not part of the language: the loader "
                              "runs in this process, its batches drawn by PyTorch's own "
                              "samplers", location,
                              "pass dataset, batch_size, shuffle, drop_last, collate_fn or "
                              "generator", what=f"DataLoader {key}=")
    dataset = bound.get("dataset")
    _check_dataset(dataset, location)
    for key in ("sampler", "batch_sampler"):
        if bound.get(key) is not None and not isinstance(bound[key], SAMPLERS):
            raise not_allowed(f"DataLoader's {key}= takes one of PyTorch's samplers "
                              "(RandomSampler, WeightedRandomSampler, ...)", location,
                              what=f"DataLoader {key}=")
    generator = bound.get("generator")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise CodeTypeError("DataLoader's generator= must be a torch.Generator")
    workers = bound.get("num_workers") or 0
    if not isinstance(workers, int) or workers < 0:
        raise CodeValueError("num_workers option should be non-negative")
    if workers > 0 and it.context is not None:
        it.hooks.event(it.context, "data_loader_in_process", {"num_workers": workers})
    passed = {key: bound[key] for key in PASSED if key in bound}
    if passed.get("collate_fn") is not None:
        passed["collate_fn"] = torch_callable(it, passed["collate_fn"])
    return torch.utils.data.DataLoader(**passed)  # type: ignore[arg-type]


def _check_dataset(dataset: object, location: SourceLocation | None) -> None:
    if not isinstance(dataset, DATASET_TYPES):
        raise not_allowed(f"a {type(dataset).__name__} cannot be a dataset here: a "
                          "DataLoader reads a Dataset (your own subclass, TensorDataset, ...), "
                          "a list or a tensor", location, what="dataset")
