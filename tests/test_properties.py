"""Property tests: whatever text or syntax tree arrives, only gradexplain's own errors escape."""

from __future__ import annotations

import ast
import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradexplain.engine.runner import run_scenario
from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.scenario.model import Code, Scenario

SMALL = Limits(max_elements=10_000, max_loop_iterations=50, max_executed=500)


def _run(source: str) -> None:
    scenario = Scenario(name="prop", path="prop.py", steps=(Code(source, "prop.py", 1),),
                        is_snippet=True, source_text=source)
    with contextlib.suppress(GradexplainError):
        run_scenario(scenario)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_raises_only_our_errors(source: str) -> None:
    _run(source)


NAMES = st.sampled_from(["x", "y", "w", "torch", "F", "print", "len", "range", "eval", "__x"])
ATTRS = st.sampled_from(["grad", "sum", "mean", "backward", "ones", "view", "shape", "T",
                         "zero_", "relu", "mm", "matmul", "add_", "numpy", "__class__",
                         "is_leaf", "grad_fn", "next_functions", "retain_grad", "detach",
                         "functional", "nn", "autograd", "float64", "load", "item"])
NUMBERS = st.one_of(st.integers(-3, 5), st.floats(-2, 2, allow_nan=False, width=32),
                    st.sampled_from([0.0, 1e30]))


def _expressions() -> st.SearchStrategy[ast.expr]:
    leaves = st.one_of(
        NUMBERS.map(ast.Constant),
        NAMES.map(lambda n: ast.Name(n, ast.Load())),
        st.just(ast.Constant(None)),
        st.just(ast.Constant("s")),
    )

    def extend(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
        ops = st.sampled_from([ast.Add(), ast.Sub(), ast.Mult(), ast.Div(), ast.Pow(),
                               ast.MatMult(), ast.Mod(), ast.LShift()])
        return st.one_of(
            st.builds(ast.BinOp, children, ops, children),
            st.builds(ast.UnaryOp, st.sampled_from([ast.USub(), ast.Not()]), children),
            st.builds(lambda v, a: ast.Attribute(v, a, ast.Load()), children, ATTRS),
            st.builds(lambda f, args: ast.Call(f, args, []), children,
                      st.lists(children, max_size=3)),
            st.builds(lambda v, i: ast.Subscript(v, i, ast.Load()), children, children),
            st.builds(lambda e: ast.List(e, ast.Load()), st.lists(children, max_size=3)),
            st.builds(lambda e: ast.Tuple(e, ast.Load()), st.lists(children, max_size=3)),
            st.builds(lambda a, b: ast.Compare(a, [ast.Lt()], [b]), children, children),
        )

    return st.recursive(leaves, extend, max_leaves=12)


def _statements() -> st.SearchStrategy[ast.stmt]:
    expr = _expressions()
    return st.one_of(
        st.builds(lambda t, v: ast.Assign([ast.Name(t, ast.Store())], v), NAMES, expr),
        st.builds(ast.Expr, expr),
        st.builds(lambda t, v: ast.AugAssign(ast.Name(t, ast.Store()), ast.Add(), v),
                  NAMES, expr),
        st.builds(lambda n, body: ast.For(ast.Name("i", ast.Store()), ast.Call(
            ast.Name("range", ast.Load()), [ast.Constant(n)], []), body, []),
            st.integers(0, 3), st.lists(st.builds(ast.Expr, expr), min_size=1, max_size=2)),
    )


PRELUDE = "x = torch.ones(2, 2, requires_grad=True)\ny = x * 3\nw = torch.tensor([1., 2.])\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_statements(), min_size=1, max_size=4))
def test_generated_trees_raise_only_our_errors(body: list[ast.stmt]) -> None:
    module = ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
    try:
        source = ast.unparse(module)
    except (ValueError, TypeError, RecursionError):
        return
    scenario = Scenario(name="prop", path="prop.py",
                        steps=(Code(PRELUDE + source, "prop.py", 1),), is_snippet=True)
    with contextlib.suppress(GradexplainError):
        run_scenario(scenario, _small_options())


def _small_options():  # type: ignore[no-untyped-def]
    from gradexplain.options import RunOptions

    return RunOptions(limits=SMALL)


@pytest.mark.parametrize("text", [
    "y = (x * 2).sum()\n",
    "z = torch.tensor([2., 1.],\n    requires_grad=True).view(1, 2)\nprint(f'{z}')\n",
    "a = 1\r\nb = a + 2\rc = '中文' + 'é'\n",
    "for i in range(3):\n    y = torch.sin(y) * w\n",
])
def test_segments_match_the_standard_library(text: str) -> None:
    """SourceMap.segment is ast.get_source_segment, computed without re-splitting."""
    from gradexplain.language.source import SourceMap

    tree = ast.parse(text)
    source = SourceMap.for_code(Code(text, "t.py", 1))
    for node in ast.walk(tree):
        assert source.segment(node) == (ast.get_source_segment(text, node) or ""), node
    for number, line in enumerate(text.splitlines(), start=1):
        assert source.code_line(number) == line
