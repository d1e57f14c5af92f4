"""Turn a PyTorch (or Python) exception into one of gradexplain's error kinds, with facts.

PyTorch's messages are the only signal, so each rule matches the message text of torch 2.x;
the original message is always kept. Operation context (the function being called and its
operands' labels and shapes) comes from the interpreter, so explanations can name them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence

import torch

from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.language.protocol import StatementContext
from gradexplain.language.values import UserAssertionError
from gradexplain.limits import Limits, exceeded, out_of_memory


class RaisedByGradexplain(Exception):
    """A mistake in the scenario's code that gradexplain's interpreter found (not PyTorch):
    explained as an error in the code, never labelled as PyTorch's."""


class CodeTypeError(RaisedByGradexplain, TypeError):
    pass


class CodeValueError(RaisedByGradexplain, ValueError):
    pass


class CodeIndexError(RaisedByGradexplain, IndexError):
    pass


class CodeAttributeError(RaisedByGradexplain, AttributeError):
    pass


# Plain Python raises these on plain numbers and lists; PyTorch raises RuntimeError & co.
_PYTHON_ONLY = (ZeroDivisionError, RecursionError, KeyError, StopIteration)


Label = Callable[[ast.expr], str]  # an operand's label: its source text


class OperationContext:
    """What the interpreter was doing: `function` and (label, shape) of each tensor operand.

    The interpreter makes one per operation but reads it only when one fails, so `lazy` ones
    work out their operands' labels and shapes on first read (an operation that raises has
    not changed its operands' shapes; in-place methods, which may, are made eagerly).
    """

    __slots__ = ("_operands", "_pending", "function", "text")

    def __init__(self, function: str, operands: list[tuple[str, list[int]]] | None = None,
                 text: str | None = None) -> None:
        self.function = function
        self._operands = [] if operands is None else operands
        self.text = text
        self._pending: tuple[Label, Sequence[object], Sequence[ast.expr]] | None = None

    @classmethod
    def lazy(cls, function: str, values: Sequence[object], nodes: Sequence[ast.expr],
             label: Label) -> OperationContext:
        """Operands `values` (those that are tensors count), labelled `label(node)`."""
        made = cls.__new__(cls)  # one call: an operation's context is made on every operation
        made.function, made._operands, made.text = function, [], None
        made._pending = (label, values, nodes)
        return made

    @property
    def operands(self) -> list[tuple[str, list[int]]]:
        if self._pending is not None:
            label, values, nodes = self._pending
            self._pending = None
            self._operands = [(label(n), list(v.shape)) for v, n in
                              zip(values, nodes, strict=False) if isinstance(v, torch.Tensor)]
        return self._operands

    def __repr__(self) -> str:
        return f"OperationContext({self.function!r}, {self.operands!r}, {self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OperationContext) and (self.function, self.operands,
                                                        self.text) == (
            other.function, other.operands, other.text)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaced


# What the interpreter records as its current operation: a context, or (once per operation,
# on the hot path) just `(function, operand values, operand nodes)`, made into a lazy context
# only when an error is classified.
Operation = OperationContext | tuple[str, Sequence[object], Sequence[ast.expr]] | None


def operation_context(operation: Operation, label: Label) -> OperationContext | None:
    """The context of `operation`, its operands labelled `label(node)` when first read."""
    if isinstance(operation, tuple):
        function, values, nodes = operation
        return OperationContext.lazy(function, values, nodes, label)
    return operation


SHAPE_FUNCTIONS = {"mm", "bmm", "mv", "dot", "matmul", "@", "view", "reshape", "cat",
                   "concat", "stack", "expand", "linear", "outer", "inner"}

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("non_scalar_backward", re.compile(r"grad can be implicitly created only for scalar")),
    ("freed_graph", re.compile(r"backward through the graph a second time|"
                               r"saved tensors after they have already been freed")),
    ("no_grad_fn", re.compile(r"does not require grad and does not have a grad_fn")),
    ("grad_shape_mismatch", re.compile(r"Mismatch in shape: grad_output")),
    ("inplace_modified", re.compile(r"modified by an inplace operation")),
    ("leaf_inplace", re.compile(r"leaf Variable that requires grad is being used in an "
                                r"in-place operation")),
    ("non_float_requires_grad", re.compile(r"Tensors of floating point.*can require gradients",
                                           re.IGNORECASE)),
    ("device_mismatch", re.compile(r"Expected all tensors to be on the same device|"
                                    r"is not on the expected device")),
    ("device_unavailable", re.compile(r"not compiled with CUDA|No CUDA GPUs|"
                                      r"CUDA driver|MPS backend|not available on this",
                                      re.IGNORECASE)),
    ("dtype_mismatch", re.compile(r"expected (scalar type|m1 and m2 to have the same dtype|"
                                  r"both vectors to have same dtype)|Found dtype \w+ but "
                                  r"expected|result type \w+ can't be cast|same dtype",
                                  re.IGNORECASE)),
    ("shape_mismatch", re.compile(
        r"shapes cannot be multiplied|must be a matrix|must be a 3D tensor|"
        r"Expected size for first two dimensions|1D tensors expected|inconsistent tensor size|"
        r"size mismatch|vector \+ matrix @ vector|must match the size of tensor|"
        r"is invalid for input of size|view size is not compatible|Sizes of tensors must match|"
        r"expanded size of the tensor|both arguments to matmul need to be at least 1D|"
        r"Dimension out of range|cannot be broadcast|must match the existing size",
        re.IGNORECASE)),
]


# PyTorch's messages that the rules read are short; a message the code made (`raise
# ValueError(text)` of a grown string) may hold millions of characters: only its start is read.
SCANNED_CHARS = 10_000

_OUT_OF_MEMORY = re.compile(r"can't allocate memory|Cannot allocate memory|out of memory",
                            re.IGNORECASE)


def classify(exc: BaseException, operation: OperationContext | None,
             limits: Limits | None = None) -> GradexplainError:
    """The GradexplainError for an exception raised while running user code."""
    message = str(exc).strip() or type(exc).__name__
    if isinstance(exc, GradexplainError):
        return exc
    if _too_deep(exc):
        return too_deep(Limits() if limits is None else limits, None)
    scanned = message[:SCANNED_CHARS]
    if _OUT_OF_MEMORY.search(scanned):  # the worker's memory cap, as PyTorch reports it
        wanted = re.search(r"allocate (\d+) bytes", scanned)
        error = out_of_memory(Limits().max_memory if limits is None else limits.max_memory,
                              value=int(wanted.group(1)) if wanted else "more than the budget")
        error.facts["exception"] = type(exc).__name__
        return error
    kind = "torch_error"
    for candidate, pattern in _RULES:
        if pattern.search(scanned):
            kind = candidate
            break
    facts: dict[str, object] = {"exception": type(exc).__name__}
    if isinstance(exc, (RaisedByGradexplain, *_PYTHON_ONLY)):
        facts["origin"] = "code"  # the scenario's own mistake: not "raised by PyTorch"
        facts["exception"] = type(exc).__mro__[2].__name__ if \
            isinstance(exc, RaisedByGradexplain) else type(exc).__name__
    if operation is not None:
        facts["function"] = operation.function
        facts["operands"] = [label for label, _ in operation.operands]
        facts["shapes"] = [shape for _, shape in operation.operands]
    if kind == "shape_mismatch":
        facts["function"] = _shape_function(operation, scanned)
    elif kind == "inplace_modified":
        facts.update(_version_facts(scanned))
    elif kind == "dtype_mismatch":
        facts["dtypes"] = _dtypes(scanned)
    elif kind == "device_mismatch":
        facts["devices"] = sorted(set(re.findall(r"\b(cuda:\d+|cpu|mps|meta)\b", scanned)))
    return GradexplainError(kind, message.splitlines()[0] if kind != "torch_error" else message,
                            facts=facts)


_RECURSION = "maximum recursion depth exceeded"


def _too_deep(exc: BaseException) -> bool:
    """Python's recursion limit, met in the code or in what torch called back (a hook that
    returned a deeply nested value: torch reports Python's RecursionError as its own)."""
    return isinstance(exc, RecursionError) or (
        isinstance(exc, RuntimeError) and str(exc).startswith(_RECURSION))


def too_deep(limits: Limits, location: SourceLocation | None) -> GradexplainError:
    """limit_exceeded for a recursion that reached Python's recursion limit (which the
    interpreter keeps within what the C stack holds, evaluator.recursion_room)."""
    return exceeded("max_call_depth", "deeper than Python allows", limits.max_call_depth,
                    location)


def statement_error(exc: BaseException, context: StatementContext, operation: Operation,
                    label: Label, limits: Limits) -> BaseException:
    """The error to raise for `exc`, raised while the statement `context` ran `operation`:
    located and classified (with `exc` as its cause), or `exc` itself when it is already ours
    or a bug of ours. The one guard around every statement (language/compiler.py) calls it."""
    if isinstance(exc, GradexplainError):
        if exc.location is None:
            exc.location = context.location
        exc.facts.setdefault("step", context.step)
        exc.facts.setdefault("statement", context.statement)
        return exc
    if _too_deep(exc):
        error = too_deep(limits, context.location)
        error.__cause__ = None
        error.__suppress_context__ = True
        return error
    if isinstance(exc, MemoryError):  # the worker's address-space cap, or the machine's
        error = out_of_memory(limits.max_memory, context.location)
    else:
        error = classify(exc, operation_context(operation, label), limits)
        if isinstance(exc, AssertionError) and not isinstance(exc, UserAssertionError) \
                and error.kind != "device_unavailable":
            return exc  # an assertion that is not torch's "no such device" is a bug of ours
        error.location = context.location
    error.facts.setdefault("step", context.step)
    error.facts.setdefault("statement", context.statement)
    if error.kind == "non_float_requires_grad":  # `counts = torch.tensor([1, 2], ...)`
        target = re.match(r"\s*([A-Za-z_]\w*)\s*=[^=]", context.statement or "")
        if target:
            error.facts.setdefault("tensor", target.group(1))
    error.__cause__ = exc
    return error


def _shape_function(operation: OperationContext | None, message: str) -> str:
    function = operation.function if operation else ""
    if function == "@":
        return "matmul"
    if function in SHAPE_FUNCTIONS:
        return {"concat": "cat", "reshape": "view"}.get(function, function)
    if "is invalid for input of size" in message or "view size" in message:
        return "view"
    if "must match the size of tensor" in message:
        return "broadcast"
    return "broadcast" if function in {"broadcast", "add", "sub", "mul", "div", "where"} \
        else "other"


def _version_facts(message: str) -> dict[str, object]:
    found = re.search(r"\[torch\.(\w+) \[([\d, ]*)\]\], which is (output \d+ of (\w+))?.*?"
                      r"is at version (\d+); expected version (\d+)", message)
    if not found:
        return {}
    shape = [int(s) for s in found.group(2).split(",") if s.strip()]
    # "output 0 of Sigmoid" (or SigmoidBackward0): the op that made the tensor, not the
    # in-place op that changed it.
    return {"tensor_type": found.group(1), "shape": shape, "op": found.group(4),
            "op_made_it": found.group(3) is not None,
            "version": int(found.group(5)), "expected_version": int(found.group(6))}


def _dtypes(message: str) -> list[str]:
    names = {"float": "float32", "double": "float64", "long int": "int64", "Float": "float32",
             "Double": "float64", "Long": "int64", "Half": "float16", "BFloat16": "bfloat16",
             "Int": "int32", "int": "int32"}
    found = re.search(r"but got:? (\w+(?: int)?) != (\w+(?: int)?)", message) or \
        re.search(r"expected scalar type (\w+) but found (\w+)", message) or \
        re.search(r"Found dtype (\w+) but expected (\w+)", message)
    if not found:
        return []
    return [names.get(g, g.lower()) for g in found.groups()]
