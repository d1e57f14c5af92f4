"""The one exception base, the error kinds and the exit statuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    """What the process tells its caller."""

    OK = 0  # every scenario ran to its end (or its expected error) and every expectation held
    FAILED = 1  # an unexpected error stopped a scenario, or an expectation failed
    BAD_INPUT = 2  # the input could not be used: invalid file, refused code, limit, device, flag
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


# Every kind from the spec (shared/spec/output.md). Kinds are stable strings: JSON and tests
# depend on them.
ERROR_KINDS = (
    "non_scalar_backward",
    "freed_graph",
    "no_grad_fn",
    "grad_shape_mismatch",
    "inplace_modified",
    "leaf_inplace",
    "non_float_requires_grad",
    "shape_mismatch",
    "device_mismatch",
    "dtype_mismatch",
    "unknown_name",
    "not_allowed",
    "limit_exceeded",
    "invalid_scenario",
    "device_unavailable",
    "torch_error",
)

# Kinds that mean "the input cannot be used at all": they exit 2 and are never an
# expectation a scenario can name.
BAD_INPUT_KINDS = frozenset(
    {"not_allowed", "limit_exceeded", "invalid_scenario", "device_unavailable"}
)

NOTE_KINDS = (
    "non_leaf_grad",
    "accumulated",
    "broadcast_sum",
    "graph_rebuilt",
    "no_gradient",
    "non_finite_grad",
    # What the widened statement language reports (beyond the spec's six).
    "hook_called",
    "optimizer_step",
    "custom_function",
    "autograd_functional",
    "legacy_api",
    "module_hook",
    "data_loader_in_process",
    "figure_not_saved",
)


@dataclass(frozen=True)
class SourceLocation:
    """Where in the user's file something is: 1-based line and column."""

    path: str | None = None
    line: int | None = None
    col: int | None = None
    end_col: int | None = None  # exclusive; for the caret under the offending part
    source_line: str | None = None  # the text of that line, for the caret display

    def describe(self) -> str:
        """`file:line:col`, leaving out the parts that are unknown."""
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def caret(self) -> str | None:
        """The source line with `^^^` under the offending part, or None."""
        if self.source_line is None or self.col is None:
            return None
        start = max(self.col - 1, 0)
        end = self.end_col - 1 if self.end_col and self.end_col > self.col else start + 1
        end = min(end, max(len(self.source_line), start + 1))
        return f"{self.source_line}\n{' ' * start}{'^' * max(end - start, 1)}"


@dataclass
class GradexplainError(Exception):
    """Every error gradexplain reports. `kind` is one of ERROR_KINDS.

    `message` is one sentence saying what is wrong; `hint` what to try next; `facts` the
    details the explanation catalogue fills in (names, shapes, limits), all plain data.
    """

    kind: str
    message: str
    location: SourceLocation | None = None
    hint: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)
        assert self.kind in ERROR_KINDS, self.kind

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by its fields (a worker process sends errors back to its parent)."""
        return (GradexplainError, (self.kind, self.message, self.location, self.hint,
                                   self.facts))

    @property
    def exit_status(self) -> ExitStatus:
        return ExitStatus.BAD_INPUT if self.kind in BAD_INPUT_KINDS else ExitStatus.FAILED


def invalid(message: str, location: SourceLocation | None = None, hint: str | None = None,
            **facts: Any) -> GradexplainError:
    """Shorthand for an `invalid_scenario` error."""
    return GradexplainError("invalid_scenario", message, location, hint, dict(facts))


def not_allowed(message: str, location: SourceLocation | None = None, hint: str | None = None,
                **facts: Any) -> GradexplainError:
    """Shorthand for a `not_allowed` refusal."""
    return GradexplainError("not_allowed", message, location, hint, dict(facts))
