"""Resource limits: their defaults, the CLI flag that raises each, and the check."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from gradexplain.errors import GradexplainError, SourceLocation


@dataclass(frozen=True)
class Limits:
    """Every limit is checked before the work it bounds is done."""

    max_elements: int = 2**24  # elements in any one tensor (about 16.7 million)
    max_file_bytes: int = 2**20  # scenario file size (1 MiB)
    max_statement_chars: int = 2000  # one statement's source length
    max_depth: int = 32  # nesting depth of syntax trees and YAML documents
    max_statements: int = 1000  # statements in one scenario (before loops run)
    max_loop_iterations: int = 100_000  # iterations of any one `for` loop, and `repeat`
    max_executed: int = 1_000_000  # statements executed in one run, loops unrolled
    max_number_bits: int = 4096  # size of a plain (non-tensor) integer result
    # Budgets the operating system enforces on the worker process (app/supervisor.py); the
    # interpreter also refuses an allocation that would pass max_memory before it is made.
    max_memory: int = 4 * 2**30  # bytes of memory (RSS) of the process running scenario code
    max_seconds: int = 60  # wall-clock seconds per scenario (per statement in the REPL)
    max_call_depth: int = 200  # nested calls of the user's own functions (recursion)
    # Not a refusal: a printed text or shown value longer than this is summarized, its first
    # characters and its length (engine/output_bounds.py), so output stays cheap to show.
    max_output_chars: int = 100_000

    def raised(self, **changes: int | None) -> Limits:
        """A copy with the given limits replaced (None keeps the default)."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update({k: v for k, v in changes.items() if v is not None})
        return Limits(**current)


# The CLI flag that raises each limit, named in every limit_exceeded message.
LIMIT_FLAGS: dict[str, str] = {
    "max_elements": "--max-elements",
    "max_file_bytes": "--max-file-bytes",
    "max_statement_chars": "--max-statement-chars",
    "max_depth": "--max-depth",
    "max_statements": "--max-statements",
    "max_loop_iterations": "--max-loop-iterations",
    "max_executed": "--max-executed",
    "max_number_bits": "--max-number-bits",
    "max_memory": "--max-memory",
    "max_seconds": "--max-seconds",
    "max_call_depth": "--max-call-depth",
    "max_output_chars": "--max-output-chars",
}

# Environment variables that set the OS-enforced budgets when their flags are not given.
BUDGET_ENVIRONMENT: dict[str, str] = {
    "max_memory": "GRADEXPLAIN_MAX_MEMORY",
    "max_seconds": "GRADEXPLAIN_MAX_SECONDS",
}

LIMIT_DESCRIPTIONS: dict[str, str] = {
    "max_elements": "elements in one tensor",
    "max_file_bytes": "bytes in a scenario file",
    "max_statement_chars": "characters in one statement",
    "max_depth": "nesting depth",
    "max_statements": "statements in a scenario",
    "max_loop_iterations": "iterations of one loop",
    "max_executed": "statements executed in one run",
    "max_number_bits": "bits in a plain number",
    "max_memory": "bytes of memory used by the run",
    "max_seconds": "seconds of running time",
    "max_call_depth": "depth of nested function calls",
    "max_output_chars": "characters in one printed text",
}


def exceeded(limit: str, value: Any, maximum: int,
             location: SourceLocation | None = None) -> GradexplainError:
    """The `limit_exceeded` error: names the limit, the value it would reach and the flag."""
    flag = LIMIT_FLAGS[limit]
    what = LIMIT_DESCRIPTIONS[limit]
    return GradexplainError(
        "limit_exceeded",
        f"limit exceeded: {what} would be {value}, the limit is {maximum}",
        location,
        hint=f"if this is intended, raise it with {flag} (for example {flag} {_suggest(value)})",
        facts={"limit": limit, "what": what, "value": value, "maximum": maximum, "flag": flag},
    )


def stopped(limit: str, value: Any, maximum: int, location: SourceLocation | None,
            statement: str) -> GradexplainError:
    """limit_exceeded for a run the parent killed at a budget: said in the past tense (the
    value was reached, not foreseen), naming the statement that was running."""
    error = exceeded(limit, value, maximum, location)
    error.message = (f"limit exceeded: {LIMIT_DESCRIPTIONS[limit]} reached {value}, over the "
                     f"limit of {maximum}")
    error.facts["statement"] = statement or None
    error.facts["stopped"] = True
    return error


def _suggest(value: Any) -> str:
    return str(value) if isinstance(value, int) else "N"


def out_of_memory(maximum: int, location: SourceLocation | None = None,
                  value: Any = "more than the budget") -> GradexplainError:
    """limit_exceeded for an allocation the memory budget (or the machine) refused."""
    return exceeded("max_memory", value, maximum, location)


def arange_length(start: float, end: float, step: float) -> int | None:
    """How many values torch.arange(start, end, step) makes: ceil((end - start) / step),
    exact for integers; negative when the step points away from `end`. None when the
    count is too large for a float to hold. The one element count of arange: the loader,
    the runner and the interpreter's guard all use it."""
    if all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end, step)):
        return -(int(start - end) // int(step))
    quotient = (float(end) - float(start)) / float(step)
    return math.ceil(quotient) if math.isfinite(quotient) else None


def check(limit: str, value: int, limits: Limits,
          location: SourceLocation | None = None) -> None:
    """Raise limit_exceeded when `value` passes `limits.<limit>`."""
    maximum = getattr(limits, limit)
    if value > maximum:
        raise exceeded(limit, value, maximum, location)
