"""The compiled interpreter (language/compiled.py, compiled_expr.py) against the tree-walker.

Statements run as closures compiled once per program; the tree-walker (`Interpreter._execute`
and `_expr`, still used for every node kind the compiler does not specialise) is the reference:
the same code run both ways must give the same record (values, grads, the ledger, notes,
prints, errors with their kind and file:line:col), the same hook calls in the same order, and
the same refusals by every guard. PyTorch is the oracle for the numbers.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from gradexplain.engine.runner import run_scenario
from gradexplain.errors import GradexplainError
from gradexplain.explain import explain_run
from gradexplain.language import budget
from gradexplain.language.checker import parse_program
from gradexplain.language.compiled import statement_context
from gradexplain.language.compiled_expr import compile_expr
from gradexplain.language.evaluator import BackwardRequest, Interpreter, StatementContext
from gradexplain.limits import Limits, exceeded
from gradexplain.render import report_to_json
from gradexplain.scenario.loader import load_scenario
from gradexplain.scenario.model import Code

HERE = Path(__file__).parent
SNIPPETS = sorted((HERE / "seed_blocks").glob("*.py")) + sorted(
    (HERE / "oracle_snippets").glob("*.py")) + sorted((HERE / "corpus").glob("*.py"))


def _tree_walking_statement(self: Interpreter, stmt: ast.stmt) -> None:
    """The interpreter's statement step before statements were compiled (the reference)."""
    self.executed += 1
    assert self._program is not None
    context = statement_context(self._program, stmt)
    if self.executed > self.limits.max_executed:
        raise exceeded("max_executed", self.executed, self.limits.max_executed,
                       context.location)
    budget.statement_started(self.limits, context.location, context.statement)
    self._context = context
    self._guarded(self._execute, stmt)


@pytest.fixture
def tree_walker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(Interpreter, "_statement", _tree_walking_statement)
    yield


def _report(path: Path, limits: Limits | None = None) -> str:
    torch.manual_seed(0)
    record = run_scenario(load_scenario(path, limits or Limits()))
    return json.dumps(report_to_json(explain_run(record, "en")), sort_keys=True)


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_compiled_and_tree_walker_give_the_same_report(path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _report(path)
    monkeypatch.setattr(Interpreter, "_statement", _tree_walking_statement)
    assert _report(path) == compiled


LOOPS = {
    "training": """\
x = torch.linspace(-1, 1, 12).reshape(4, 3)
y = torch.tensor([[1.], [0.], [2.], [-1.]])
w = torch.zeros(3, 1, requires_grad=True)
for i in range(30):
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
print(w)
""",
    "control": """\
b = torch.zeros(3, requires_grad=True)
total = 0
def step(v, k=2):
    if k > 1:
        return (v * k).sum()
    return v.sum()
for i in range(6):
    if i == 4:
        break
    if i % 2:
        continue
    total += i
    s = step(b + i, k=i)
    s.backward()
else:
    total = -1
names = [n for n in ["a", "b"]]
pair = a, c = 1, 2
t = torch.ones(2, 2)
t[0, 0] += 5
t += 1
with torch.no_grad(), torch.enable_grad():
    u = b * 2
u.sum().backward()
"done"
b.grad
print(total, names, pair, t, u)
""",
    "broadcast": """\
w = torch.ones(3, requires_grad=True)
x = torch.ones(2, 3)
for i in range(3):
    y = (x * w).sum()
    y.backward()
print(w.grad)
""",
    "shape_error_in_loop": """\
a = torch.ones(2, 3, requires_grad=True)
for i in range(3):
    b = torch.ones(4, 5)
    c = a @ b
""",
    "name_error_in_with": """\
w = torch.ones(2, requires_grad=True)
with torch.no_grad():
    w -= 0.1 * w.gradd
""",
    "leaf_inplace_in_loop": """\
w = torch.ones(2, requires_grad=True)
for i in range(2):
    w -= 0.1
""",
    "method_error_in_loop": """\
a = torch.ones(2, 3, requires_grad=True)
for i in range(2):
    b = (a * 2).view(7)
""",
    "function_error_in_loop": """\
a = torch.ones(2, 3)
for n in [3, 4]:
    c = torch.cat([a, torch.ones(2, n)], dim=0)
""",
    "augmented_error_in_loop": """\
a = torch.ones(2, 3)
for i in range(2):
    a += torch.ones(5)
""",
    "number_error_in_function": """\
def f(k):
    return 1 / k
total = 0
for k in [2, 1, 0]:
    total += f(k)
""",
    "tensor_method_on_a_number": """\
x = 0
for i in range(2):
    y = x.sum()
""",
    "error_after_a_call": """\
def g(v):
    return v.sum()
x = torch.ones(3, requires_grad=True)
for i in range(2):
    y = g(x * 2) @ torch.ones(4, 4)
""",
}


def _run_text(tmp_path: Path, text: str, limits: Limits | None = None) -> str:
    path = tmp_path / "case.py"
    path.write_text(text, encoding="utf-8")
    return _report(path, limits)


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_loops_and_their_errors_match_the_tree_walker(name: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _run_text(tmp_path, LOOPS[name])
    monkeypatch.setattr(Interpreter, "_statement", _tree_walking_statement)
    assert _run_text(tmp_path, LOOPS[name]) == compiled


# hooks --------------------------------------------------------------------------------------

class Log:
    """Hooks that write down every call (tensors by shape), and run backward themselves."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def _seen(self, value: Any) -> Any:
        return tuple(value.shape) if isinstance(value, torch.Tensor) else repr(value)

    def backward(self, request: BackwardRequest) -> Any:
        self.calls.append(("backward", request.function, request.context.statement,
                           [label for _, label in request.outputs]))
        tensors = [t for t, _ in request.outputs]
        torch.autograd.backward(tensors, request.gradients, request.retain_graph)

    def printed(self, context: StatementContext, text: str) -> None:
        self.calls.append(("printed", context.line, text))

    def shown(self, context: StatementContext, expression: str, value: Any) -> None:
        self.calls.append(("shown", context.line, expression, self._seen(value)))

    def read_non_leaf_grad(self, context: StatementContext, tensor: torch.Tensor,
                           label: str) -> None:
        self.calls.append(("read_non_leaf_grad", context.line, label))

    def new_tensor(self, tensor: torch.Tensor, label: str) -> None:
        self.calls.append(("new_tensor", label, self._seen(tensor)))

    def assigned(self, name: str, value: Any) -> None:
        self.calls.append(("assigned", name, self._seen(value)))

    def retained(self, tensor: torch.Tensor, label: str) -> None:
        self.calls.append(("retained", label))

    def broadcast(self, context: StatementContext, tensor: torch.Tensor, label: str,
                  result_shape: list[int], operation: str,
                  result: torch.Tensor | None = None) -> None:
        self.calls.append(("broadcast", context.line, label, result_shape, operation))

    def made_without_grad(self, operation: str, operands: list[Any],
                          result: torch.Tensor) -> None:
        self.calls.append(("made_without_grad", operation, [self._seen(o) for o in operands],
                           self._seen(result)))

    def event(self, context: StatementContext, kind: str, facts: dict[str, Any]) -> None:
        self.calls.append(("event", context.line, kind))


def _hook_calls(text: str, limits: Limits) -> tuple[list[tuple[Any, ...]], Any]:
    log = Log()
    interpreter = Interpreter(limits, log)
    program = parse_program(Code(text, "case.py", 1), limits, line_steps=True)
    error = None
    try:
        interpreter.run(program)
    except GradexplainError as err:
        location = err.location
        error = (err.kind, err.message, location and (location.line, location.col,
                                                      location.end_col), err.facts)
    return log.calls, error


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_hooks_fire_as_in_the_tree_walker(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls, error = _hook_calls(LOOPS[name], Limits())
    assert calls or error is not None  # the case ran: the comparison below is not empty
    monkeypatch.setattr(Interpreter, "_statement", _tree_walking_statement)
    assert _hook_calls(LOOPS[name], Limits()) == (calls, error)


def test_the_training_loop_reports_every_operation_every_iteration() -> None:
    calls, error = _hook_calls(LOOPS["training"], Limits())
    assert error is None
    made = [c[1] for c in calls if c[0] == "made_without_grad"]
    # x and y; then per iteration the update's mul (under no_grad) and zero_
    assert made == ["linspace", "reshape", "tensor"] + ["mul", "zero_"] * 30
    assert not any(c[0] == "read_non_leaf_grad" for c in calls)  # w is a leaf
    assert sum(1 for c in calls if c[0] == "backward") == 30
    assert calls.count(("assigned", "w", (3, 1))) == 31  # `w = ...` and every `w -= ...`


def test_a_non_leaf_grad_read_in_a_loop_is_reported_each_time() -> None:
    text = ("x = torch.ones(2, requires_grad=True)\nfor i in range(3):\n    y = x * 2\n"
            "    g = y.grad\n    y.retain_grad()\n    h = y.grad\n    z = x.grad\n")
    calls, error = _hook_calls(text, Limits())
    assert error is None
    assert [c for c in calls if c[0] == "read_non_leaf_grad"] == [
        ("read_non_leaf_grad", 4, "y")] * 3  # not after retain_grad(), not for the leaf


def test_the_training_loop_agrees_with_plain_torch() -> None:
    log = Log()
    interpreter = Interpreter(Limits(), log)
    interpreter.run(parse_program(Code(LOOPS["training"], "case.py", 1), Limits()))
    x = torch.linspace(-1, 1, 12).reshape(4, 3)
    y = torch.tensor([[1.], [0.], [2.], [-1.]])
    w = torch.zeros(3, 1, requires_grad=True)
    for _ in range(30):
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        assert w.grad is not None
        w.grad.zero_()
    assert torch.equal(interpreter.env["w"], w)
    assert torch.equal(interpreter.env["loss"], loss)


# errors and guards inside compiled statements ----------------------------------------------

def test_an_error_in_a_loop_keeps_its_kind_and_location() -> None:
    _, error = _hook_calls(LOOPS["shape_error_in_loop"], Limits())
    kind, _, where, facts = error
    assert kind == "shape_mismatch"
    assert where == (4, 5, 14)  # the statement `c = a @ b` on line 4
    assert facts["step"] == 4 and facts["statement"] == "c = a @ b"
    assert facts["function"] == "matmul" and facts["operands"] == ["a", "b"]
    assert facts["shapes"] == [[2, 3], [4, 5]]


@pytest.mark.parametrize("call", ["y.backward()", "y.backward(retain_graph=None)"])
def test_a_failing_backward_names_its_output_and_shape(call: str) -> None:
    # The hooks run torch's backward themselves, so its error reaches the statement's guard,
    # which reads the operation the call set: `y.backward()` sets it by a shorter way.
    text = f"x = torch.ones(3, requires_grad=True)\ny = x * 2\n{call}\n"
    _, error = _hook_calls(text, Limits())
    kind, _, where, facts = error
    assert kind == "non_scalar_backward" and where[0] == 3
    assert facts["function"] == "backward" and facts["operands"] == ["y"]
    assert facts["shapes"] == [[3]] and facts["statement"] == call


def test_an_unknown_attribute_in_a_with_block_is_located() -> None:
    _, error = _hook_calls(LOOPS["name_error_in_with"], Limits())
    kind, message, where, facts = error
    assert kind == "unknown_name" and "gradd" in message and facts["suggestion"] == "grad"
    assert where == (3, 16, 23)  # `w.gradd`
    assert facts["statement"] == "w -= 0.1 * w.gradd"


def test_the_element_limit_refuses_an_op_inside_a_loop_before_it_runs() -> None:
    text = "for i in range(3):\n    big = torch.ones(1000, 1) * torch.ones(1, 1000)\n"
    calls, error = _hook_calls(text, Limits(max_elements=100_000))
    kind, _, where, facts = error
    assert kind == "limit_exceeded" and facts["limit"] == "max_elements"
    assert facts["value"] == 1_000_000
    assert where == (2, 11, 52)
    assert not any(c[0] == "made_without_grad" and c[1] == "mul" for c in calls)  # never ran


def test_an_operator_meets_new_shapes_in_a_loop() -> None:
    # the same `*` sized afresh when its shapes change: the third pass is refused
    text = "for n in [10, 100, 2000]:\n    a = torch.ones(n, 1) * torch.ones(1, n)\n"
    calls, error = _hook_calls(text, Limits(max_elements=1_000_000))
    kind, _, where, facts = error
    assert kind == "limit_exceeded" and facts["value"] == 4_000_000
    assert where == (2, 9, 44)
    assert [c[3] for c in calls if c[0] == "made_without_grad" and c[1] == "mul"] == [(10, 10),
                                                                            (100, 100)]


def test_an_operator_sized_again_plans_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "resident_bytes", lambda: 10**8)
    monkeypatch.setattr(budget.ALLOWANCE, "left", -1)  # read at the first plan
    limits = Limits(max_memory=2**31)
    text = "for n in [10, 10, 20]:\n    a = torch.ones(n, 1) + torch.ones(1, n)\n"
    _hook_calls(text, limits)
    # torch.ones(n, 1), torch.ones(1, n), then the sum: n * n float32s, sized again for n=20
    planned = sum([40, 40, 400] * 2 + [80, 80, 1600])
    assert budget.ALLOWANCE.left == 2**31 - 10**8 - budget.REREAD_MARGIN - planned


def test_a_plan_reads_memory_only_once_the_allowance_runs_out(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    found = [1000, 1900, 1900, 1900, 1000]  # resident memory at each reading
    readings: list[int] = []

    def resident() -> int:
        readings.append(found[len(readings)])
        return readings[-1]

    monkeypatch.setattr(budget, "resident_bytes", resident)
    monkeypatch.setattr(budget, "REREAD_MARGIN", 100)
    monkeypatch.setattr(budget.ALLOWANCE, "left", -1)
    limits = Limits(max_memory=2000)
    budget.check_memory(limits, None, 300)  # read: 2000 - 1000 - 300 - 100 = 600 left
    assert len(readings) == 1 and budget.ALLOWANCE.left == 600
    for _ in range(3):
        budget.check_memory(limits, None, 200)  # from the allowance, no reading
    assert len(readings) == 1 and budget.ALLOWANCE.left == 0
    budget.check_memory(limits, None, 50)  # past it: read again, now within the margin
    assert len(readings) == 2 and budget.ALLOWANCE.left == 2000 - 1900 - 50 - 100
    budget.check_memory(limits, None, 10)  # near the budget every plan reads
    assert len(readings) == 3
    with pytest.raises(GradexplainError) as refused:
        budget.check_memory(limits, None, 101)
    assert refused.value.facts["limit"] == "max_memory" and refused.value.facts["value"] == 2001
    budget.check_memory(Limits(max_memory=5000), None, 10)  # another budget: read for it
    assert len(readings) == 5 and budget.ALLOWANCE.left == 5000 - 1000 - 10 - 100


def test_each_statement_writes_its_status_line_for_the_worker() -> None:
    import mmap

    from gradexplain.app.worker import published_statement

    status = mmap.mmap(-1, budget.STATUS_BYTES)
    seen: list[tuple[str, int | None]] = []

    class Watching(Log):  # what the worker's parent would read while print runs
        def printed(self, context: StatementContext, text: str) -> None:
            statement, location = published_statement(status)
            seen.append((statement, location and location.line))

    text = ("x = torch.ones(3, requires_grad=True)\nfor i in range(2):\n"
            "    loss = (x * 2).sum()\n    print(1)\n    loss.backward()\n    print(2)\n")
    budget.WATCH.page = status
    try:
        Interpreter(Limits(), Watching()).run(
            parse_program(Code(text, "loop.py", 1), Limits(), line_steps=True))
    finally:
        budget.WATCH.page = None
    assert seen == [("print(1)", 4), ("print(2)", 6)] * 2


def test_max_executed_stops_a_loop() -> None:
    # not a range: no refusal ahead. Statements 1-3, then two per pass: the 51st is the
    # 24th pass's `n += 1`.
    text = "n = 0\nfor i in list(range(k)):\n    print(n)\n    n += 1\n"
    limits = Limits(max_executed=50)
    calls, error = _hook_calls("k = 100\n" + text, limits)
    kind, _, where, facts = error
    assert kind == "limit_exceeded" and facts["limit"] == "max_executed"
    assert facts["value"] == 51
    assert where is not None and where[0] == 5  # `n += 1`, counted as it starts
    assert [c[2] for c in calls if c[0] == "printed"] == [str(n) for n in range(24)]


def test_a_constant_range_past_max_executed_is_refused_before_it_starts() -> None:
    calls, error = _hook_calls("n = 0\nfor i in range(100):\n    n += 1\n",
                               Limits(max_executed=50))
    assert error[0] == "limit_exceeded" and error[3]["limit"] == "max_executed"
    assert error[2] == (2, 10, 20)  # `range(100)`
    assert ("assigned", "i", "0") not in calls


def test_resident_memory_is_read_every_16th_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int | None] = []
    real = budget.read_memory

    def read_memory(limits: Limits, location: Any, planned: int = 0) -> None:
        if not planned:  # a statement's reading, not an operation's plan
            seen.append(location.line)
        real(limits, location, planned)

    monkeypatch.setattr(budget, "read_memory", read_memory)
    _hook_calls(LOOPS["training"], Limits())
    lines = [1, 2, 3, 4] + [5, 6, 7, 8, 9] * 30 + [10]  # the statements, as they run
    assert seen == lines[15::16]


def test_a_loop_past_the_memory_budget_stops_at_a_statement(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    readings = iter([10, 20, 10**12])  # resident memory, as the third reading finds it
    monkeypatch.setattr(budget, "resident_bytes", lambda: next(readings))
    calls, error = _hook_calls(LOOPS["training"], Limits(max_memory=2**30))
    assert error is not None and error[0] == "limit_exceeded"
    assert error[3]["limit"] == "max_memory"
    assert sum(1 for c in calls if c[0] == "backward") < 30


# expressions: each compiled kind against `_expr` -------------------------------------------

EXPRESSIONS = [
    "x", "2.5", "x + 1", "1 + 2 * 3", "x @ m", "(x * 2 - 1) ** 2", "x.sum()", "x.grad",
    "x.shape", "x.requires_grad", "[3, 1].copy()", "'ab'.upper()", "[3, 1].count(1)",
    "torch.ones(2)", "torch.no_grad()", "m.t().shape",
    "len([1, 2])", "x.mean(dim=0, keepdim=True)", "x.view(1, 3).sum(0)", "'a' + 'b'",
    "[1, 2][0]", "x[0] * 3", "torch.cat([x, x])", "max(1, 2)", "x.detach()", "x.data",
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_each_compiled_expression_matches_the_tree_walker(text: str) -> None:
    def evaluate(compiled: bool) -> tuple[Any, list[tuple[Any, ...]]]:
        torch.manual_seed(0)
        log = Log()
        interpreter = Interpreter(Limits(), log)
        interpreter.run(parse_program(Code(
            "x = torch.tensor([1., 2., 3.], requires_grad=True)\nm = torch.ones(3, 2)\n"
            "(x * x).sum().backward()\n", "setup.py", 1), Limits()))
        program = parse_program(Code(text, "case.py", 1), Limits())
        stmt = program.tree.body[0]
        assert isinstance(stmt, ast.Expr)
        with interpreter._running(program):
            interpreter._context = statement_context(program, stmt)
            value = compile_expr(program, stmt.value)(interpreter) if compiled else \
                interpreter._expr(stmt.value)
        return value, log.calls

    value, calls = evaluate(True)
    expected, expected_calls = evaluate(False)
    assert calls == expected_calls
    if isinstance(expected, torch.Tensor):
        assert isinstance(value, torch.Tensor) and torch.equal(value, expected)
        assert value.requires_grad == expected.requires_grad
    elif isinstance(expected, torch.no_grad):
        assert isinstance(value, torch.no_grad)
    else:
        assert repr(value) == repr(expected)
