"""The scenario loader: every key into the right dataclass value, positions, and exact errors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario, load_scenario_text
from gradexplain.scenario.model import Code, Scenario, TensorSpec

LIMITS = Limits()


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(text: str, limits: Limits = LIMITS) -> Scenario:
    return load_scenario_text(text, "t.yaml", "yaml", limits)


def tensor(text: str) -> TensorSpec:
    """The one tensor `x` declared by a `tensors:` entry."""
    scenario = load(f"tensors:\n  x: {text}\nsteps: ['y = x']\n")
    assert len(scenario.tensors) == 1
    return scenario.tensors[0]


FULL = """\
name: demo
description: every key
device: cuda:1
dtype: float64
seed: 7
tensors:
  x: {ones: [2, 2]}
  w: [[1, 2], [3, 4]]
expression: ((x + 2) * w).sum()
grad_tensors: ones_like
retain_graph: true
create_graph: true
repeat: 3
zero_grad: true
tolerance: 1e-5
expect:
  grads: {x: [[3.0, 3.0], [3.0, 3.0]], w: null}
  calls:
    1: {x: 1.0}
  values: {w: [[1, 2], [3, 4]]}
  error: {kind: freed_graph, call: 2}
  notes: [accumulated, broadcast_sum]
  prints: ["hello"]
"""


def test_every_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    s = load_scenario(path, LIMITS)
    assert (s.name, s.description, s.device, s.dtype, s.seed) == (
        "demo", "every key", "cuda:1", "float64", 7)
    assert [t.name for t in s.tensors] == ["x", "w"]
    assert s.expression == Code("((x + 2) * w).sum()", str(path), 9, 13)
    assert s.grad_tensors is not None and s.grad_tensors.ones_like
    assert (s.retain_graph, s.create_graph, s.repeat, s.zero_grad) == (True, True, 3, True)
    assert s.tolerance == 1e-5
    assert s.steps is None
    assert s.source_text == FULL
    assert s.path == str(path)
    assert not s.is_snippet


def test_expect_is_parsed_with_locations(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, FULL), LIMITS)
    e = s.expect
    assert e is not None
    assert e.grads == {"x": [[3.0, 3.0], [3.0, 3.0]], "w": None}
    assert e.calls == {1: {"x": 1.0}}
    assert e.values == {"w": [[1, 2], [3, 4]]}
    assert e.error is not None
    assert (e.error.kind, e.error.step, e.error.call) == ("freed_graph", None, 2)
    assert e.notes == ("accumulated", "broadcast_sum")
    assert e.prints == ("hello",)
    where = {key: (loc.line, loc.col) for key, loc in e.locations.items()}
    assert where["grads.x"] == (17, 11)
    assert where["grads.w"] == (17, 40)
    assert where["calls.1"] == (19, 5)
    assert where["calls.1.x"] == (19, 9)
    assert where["values.w"] == (20, 12)
    assert where["error"] == (21, 3)
    assert where["notes"] == (22, 3)
    assert where["notes.1"] == (22, 24)
    assert where["prints.0"] == (23, 12)


def test_defaults_and_file_stem_name(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, "steps: ['y = 1']\n", "my_case.yml"), LIMITS)
    assert s.name == "my_case"
    assert (s.device, s.dtype, s.seed, s.repeat, s.tolerance) == ("cpu", "float32", 0, 1, 1e-6)
    assert (s.retain_graph, s.create_graph, s.zero_grad) == (False, False, False)
    assert s.tensors == () and s.expect is None and s.grad_tensors is None


def test_empty_values_mean_defaults() -> None:
    s = load("name:\nseed:\ntensors:\nsteps: ['y = 1']\nexpect:\n")
    assert (s.name, s.seed, s.tensors, s.expect) == ("t", 0, (), None)


def test_text_without_path_and_explicit_name() -> None:
    s = load_scenario_text("steps: ['y = 1']\n", None, "yaml", LIMITS)
    assert (s.name, s.path) == ("<input>", None)
    s = load_scenario_text("steps: ['y = 1']\n", None, "yaml", LIMITS, name="repl")
    assert s.name == "repl"
    s = load_scenario_text("name: mine\nsteps: ['y = 1']\n", None, "yaml", LIMITS, name="repl")
    assert s.name == "mine"


@pytest.mark.parametrize(("spec", "source", "argument"), [
    ("[[1, 2], [3, 4]]", "value", [[1, 2], [3, 4]]),
    ("2.5", "value", 2.5),
    ("{value: [1.0, 2.0]}", "value", [1.0, 2.0]),
    ("{ones: [2, 3]}", "ones", [2, 3]),
    ("{zeros: 4}", "zeros", [4]),
    ("{rand: []}", "rand", []),
    ("{randn: [2, 0]}", "randn", [2, 0]),
    ("{arange: [5]}", "arange", [5]),
    ("{arange: [1, 5]}", "arange", [1, 5]),
    ("{arange: [0, 1, 0.25]}", "arange", [0, 1, 0.25]),
    ("{arange: 3}", "arange", [3]),
    ("{linspace: [0, 1, 5]}", "linspace", [0, 1, 5]),
    ("{eye: 3}", "eye", 3),
])
def test_tensor_sources(spec: str, source: str, argument: Any) -> None:
    t = tensor(spec)
    assert (t.name, t.source, t.argument) == ("x", source, argument)
    assert (t.fill, t.requires_grad, t.dtype) == (None, None, None)
    assert (t.location.line, t.location.col, t.location.source_line) == (2, 3, f"  x: {spec}")


def test_full_with_fill_and_options() -> None:
    t = tensor("{full: [2, 2], fill: 0.5, requires_grad: false, dtype: torch.double}")
    assert (t.source, t.argument, t.fill, t.requires_grad, t.dtype) == (
        "full", [2, 2], 0.5, False, "float64")


def test_expr_tensor_is_code_at_its_column() -> None:
    t = tensor('{expr: "torch.tensor([2., 1.], requires_grad=True).view(1, 2)"}')
    assert t.source == "expr"
    assert t.argument == Code("torch.tensor([2., 1.], requires_grad=True).view(1, 2)",
                              "t.yaml", 2, 14)


@pytest.mark.parametrize(("written", "dtype"), [
    ("int64", "int64"), ("long", "int64"), ("bool", "bool"), ("torch.float16", "float16"),
    ("half", "float16"), ("bfloat16", "bfloat16"),
])
def test_tensor_dtype_names_are_normalised(written: str, dtype: str) -> None:
    assert tensor(f"{{ones: [2], dtype: {written}}}").dtype == dtype


def test_yaml_1_1_number_quirks_are_numbers() -> None:
    s = load("tolerance: 1e-6\ntensors:\n  x: [.inf, -.inf, 1E3, 1e-6, '-inf', nan]\n"
             "steps: ['y = x']\n")
    assert s.tolerance == 1e-6
    values = s.tensors[0].argument
    assert values[:4] == [math.inf, -math.inf, 1000.0, 1e-6]
    assert values[4] == -math.inf and math.isnan(values[5])


def test_grad_tensors_forms() -> None:
    base = "tensors:\n  x: {ones: [2]}\nexpression: x * 2\n"
    literal = load(base + "grad_tensors: [1.0, 0.5]\n").grad_tensors
    assert literal is not None
    assert (literal.literal, literal.ones_like, literal.code) == ([1.0, 0.5], False, None)
    number = load(base + "grad_tensors: 2\n").grad_tensors
    assert number is not None and number.literal == 2
    code = load(base + "grad_tensors: torch.ones_like(out) * 2\n").grad_tensors
    assert code is not None and code.code == Code("torch.ones_like(out) * 2", "t.yaml", 4, 15)
    assert code.location is not None and code.location.line == 4


def test_block_steps_start_at_the_first_statement() -> None:
    text = "tensors:\n  x: {ones: [2]}\nsteps: |\n\n    y = x + 2\n    z = y * 3\n"
    s = load(text)
    assert s.steps == (Code("y = x + 2\nz = y * 3\n", "t.yaml", 5, 5),)


def test_block_steps_map_every_line_to_the_file() -> None:
    text = "steps: |  # comment\n  a = 1\n  b = 2\n  c = a + b\n"
    (code,) = load(text).steps or ()
    lines = text.splitlines()
    for number, statement in enumerate(code.text.splitlines(), start=1):
        file_line = lines[code.line + number - 2]
        assert file_line[code.col - 1:] == statement


def test_list_steps_keep_each_item_position() -> None:
    text = "steps:\n  - y = 1\n  - 'z = y + 1'\n  -   \"w = z\"\n"
    assert load(text).steps == (
        Code("y = 1", "t.yaml", 2, 5),
        Code("z = y + 1", "t.yaml", 3, 6),
        Code("w = z", "t.yaml", 4, 8),
    )


def test_py_snippet(tmp_path: Path) -> None:
    text = "import torch\nx = torch.ones(2, requires_grad=True)\nx.sum().backward()\n"
    path = write(tmp_path, text, "first_grad.py")
    s = load_scenario(path, LIMITS)
    assert s.is_snippet
    assert s.name == "first_grad"
    assert s.steps == (Code(text, str(path), 1, 1),)
    assert s.expression is None and s.tensors == ()
    assert s.source_text == text


def test_py_snippet_from_text() -> None:
    s = load_scenario_text("y = 1\n", None, "py", LIMITS)
    assert (s.name, s.is_snippet, s.steps) == ("<input>", True, (Code("y = 1\n", None, 1, 1),))


def test_raised_limits_let_big_tensors_through() -> None:
    text = "tensors:\n  x: {ones: [5000, 5000]}\nsteps: ['y = x']\n"
    with pytest.raises(GradexplainError) as info:
        load(text)
    assert info.value.kind == "limit_exceeded"
    assert info.value.facts["limit"] == "max_elements"
    assert load(text, Limits(max_elements=25_000_000)).tensors[0].argument == [5000, 5000]


@pytest.mark.parametrize(("spec", "count"), [
    ("{zeros: [4097, 4096]}", 4097 * 4096),
    ("{full: [4097, 4096], fill: 1}", 4097 * 4096),
    ("{arange: [0, 20000000]}", 20_000_000),
    ("{arange: [0, 1, 0.00000005]}", 20_000_000),
    ("{linspace: [0, 1, 16777217]}", 16_777_217),
    ("{eye: 4097}", 4097 * 4097),
])
def test_element_limit_before_anything_is_made(spec: str, count: int) -> None:
    with pytest.raises(GradexplainError) as info:
        tensor(spec)
    err = info.value
    assert err.kind == "limit_exceeded"
    assert str(err) == (f"limit exceeded: elements in one tensor would be {count}, "
                        "the limit is 16777216")
    assert err.location is not None and err.location.line == 2


def test_repeat_is_bounded_by_the_loop_limit() -> None:
    with pytest.raises(GradexplainError) as info:
        load("steps: ['y = 1']\nrepeat: 100001\n")
    assert info.value.kind == "limit_exceeded"
    assert info.value.facts["limit"] == "max_loop_iterations"


# Broken files: (text, message, "line:col", hint). The path part of describe() is the file.
BROKEN = [
    ("tensors:\n  x: {ones: [2]}\nexpression: x.sum()\ngrad_tensor: ones_like\n",
     "unknown key 'grad_tensor' at line 4; did you mean 'grad_tensors'?", "4:1",
     "the keys of a scenario are: name, description, device, dtype, seed, tensors, expression,"
     " grad_tensors, retain_graph, create_graph, repeat, zero_grad, steps, expect, tolerance,"
     " plot"),
    ("steps: ['y = 1']\nrepeat: -1\n",
     "'repeat' must be an integer >= 1, got -1", "2:9", "e.g. repeat: 2"),
    ("steps: ['y = 1']\nrepeat: true\n",
     "'repeat' must be an integer >= 1, got true", "2:9", "e.g. repeat: 2"),
    ('tensors: {x: [1, "a"]}\nsteps: [\'y = 1\']\n',
     "tensors.x: element [1] is a string ('a'); tensor values must be numbers", "1:18",
     "write numbers, e.g. 1.5 or [[1, 2], [3, 4]]; for code use {expr: ...}"),
    ("tensors:\n  x: [[1, 2, 3], [4, 5]]\nsteps: ['y = 1']\n",
     "tensors.x: ragged nested list: row 1 has 2 elements, row 0 has 3", "2:18",
     "every row must have the same length"),
    ("tensors:\n  x: [[[1, 2], [3]], [[1, 2], [3, 4]]]\nsteps: ['y = 1']\n",
     "tensors.x: ragged nested list: row [0][1] has 1 element, row [0][0] has 2", "2:16",
     "every row must have the same length"),
    ("tensors:\n  x: [[1, 2], 3]\nsteps: ['y = 1']\n",
     "tensors.x: element [1] is a number (3) but element [0] is a list", "2:15",
     "every row must have the same shape"),
    ("expression: x.sum()\nsteps: ['y = 1']\n",
     "use either 'expression' or 'steps', not both", "2:1",
     "'expression' is the short form (one output, then backward); 'steps' runs statements"),
    ("name: only a name\n",
     "the scenario has neither 'expression' nor 'steps'", "1:1",
     "add `expression: (x * 2).sum()` (short form) or `steps:` with statements"),
    ("tensors:\n  class: [1]\nsteps: ['y = 1']\n",
     "tensor name 'class' is a Python keyword", "2:3", "choose another name, e.g. 'class_'"),
    ("tensors:\n  F: [1]\nsteps: ['y = 1']\n",
     "tensor name 'F' would hide the F module", "2:3",
     "choose another name; torch and F are always available to the steps"),
    ("tensors:\n  __init__: [1]\nsteps: ['y = 1']\n",
     "tensor name '__init__' is a dunder name, reserved by Python", "2:3",
     "choose a plain name such as x"),
    ("tensors:\n  2x: [1]\nsteps: ['y = 1']\n",
     "tensor name '2x' is not a Python identifier", "2:3",
     "use letters, digits and _, not starting with a digit, e.g. x or w_1"),
    ("tensors:\n  x: {ones: [2], zeros: [2]}\nsteps: ['y = 1']\n",
     "tensors.x: has two sources ('ones' and 'zeros'); give exactly one", "2:18",
     "keep either {ones: ...} or {zeros: ...}"),
    ("tensors:\n  x: {requires_grad: true}\nsteps: ['y = 1']\n",
     "tensors.x: no source; give one of value, ones, zeros, rand, randn, full, arange, "
     "linspace, eye, expr", "2:6", "e.g. {ones: [2, 2]}"),
    ("tensors:\n  x: {full: [2]}\nsteps: ['y = 1']\n",
     "tensors.x: 'full' needs 'fill' (the value to fill with)", "2:7",
     "e.g. {full: [2, 3], fill: 0.5}"),
    ("tensors:\n  x: {ones: [2], fill: 1}\nsteps: ['y = 1']\n",
     "tensors.x: 'fill' only goes with 'full'", "2:18", "e.g. {full: [2, 3], fill: 0.5}"),
    ("tensors:\n  x: {onez: [2]}\nsteps: ['y = 1']\n",
     "unknown key 'onez' in tensors.x at line 2; did you mean 'ones'?", "2:7",
     "the keys of a tensor are: value, ones, zeros, rand, randn, full, arange, linspace, eye, "
     "expr, fill, requires_grad, dtype"),
    ("tensors:\n  x: {ones: [2], dtype: flaot32}\nsteps: ['y = 1']\n",
     "tensors.x.dtype: unknown dtype 'flaot32'", "2:25",
     "did you mean 'float32'? dtypes: float32, float64, float16, bfloat16, int8, int16, int32, "
     "int64, uint8, bool, complex64, complex128"),
    ("dtype: int64\nsteps: ['y = 1']\n",
     "'dtype' must be one of float32, float64, float16, bfloat16, got 'int64'", "1:8",
     "the scenario dtype is for floating tensors; give one tensor an integer dtype with "
     "tensors.NAME.dtype"),
    ("device: gpu\nsteps: ['y = 1']\n",
     "'device' must be cpu, cuda, cuda:N, mps or auto, got 'gpu'", "1:9",
     "did you mean 'cuda'? 'auto' picks the first available of cuda, mps, cpu"),
    ("device: cuda:x\nsteps: ['y = 1']\n",
     "'device' must be cpu, cuda, cuda:N, mps or auto, got 'cuda:x'", "1:9",
     "did you mean 'cuda:0'? 'auto' picks the first available of cuda, mps, cpu"),
    ("tensors:\n  x: {arange: [1, 2, 3, 4]}\nsteps: ['y = 1']\n",
     "tensors.x.arange: give [end], [start, end] or [start, end, step], got [1, 2, 3, 4]",
     "2:15", "e.g. arange: [0, 6, 2]"),
    ("tensors:\n  x: {arange: [0, 1, 0]}\nsteps: ['y = 1']\n",
     "tensors.x.arange: the step must not be 0", "2:15", "e.g. arange: [0, 1, 0.25]"),
    ("tensors:\n  x: {arange: [5, 0]}\nsteps: ['y = 1']\n",
     "tensors.x.arange: going from 5 to 0 needs a negative step", "2:15",
     "e.g. arange: [5, 0, -1]"),
    ("tensors:\n  x: {eye: 0}\nsteps: ['y = 1']\n",
     "'tensors.x.eye' must be an integer >= 1, got 0", "2:12",
     "eye: n makes the n x n identity, e.g. eye: 3"),
    ("tensors:\n  x: {ones: [2, -1]}\nsteps: ['y = 1']\n",
     "tensors.x.ones: a shape must be a non-negative integer or a list of them, got [2, -1]",
     "2:13", "e.g. [2, 3]"),
    ("tensors:\n  x: {ones: [2.0]}\nsteps: ['y = 1']\n",
     "tensors.x.ones: a shape must be a non-negative integer or a list of them, got [2.0]",
     "2:13", "e.g. [2, 3]"),
    ("tensors:\n  x: {linspace: [0, 1]}\nsteps: ['y = 1']\n",
     "tensors.x.linspace: give [start, end, steps] with steps a whole number >= 0, got [0, 1]",
     "2:17", "e.g. linspace: [0, 1, 5]"),
    ("steps: ['y = 1', 3]\n",
     "'steps[1]' must be code (a string), got 3", "1:18",
     "one statement per item, e.g. `- y = x * 2`"),
    ("steps: []\n", "'steps' is empty", "1:8", "give at least one statement"),
    ("expression: '  '\n", "'expression' is empty", "1:13", "write the code here"),
    ("steps: ['y = 1']\nretain_graph: true\n",
     "'retain_graph' belongs to the short form (with 'expression'); with 'steps', pass it "
     "to backward", "2:1", "e.g. out.backward(retain_graph=True)"),
    ("expression: x.sum()\nretain_graph: 1\n",
     "'retain_graph' must be true or false, got 1", "2:15", None),
    ("expression: x.sum()\ngrad_tensors: {a: 1}\n",
     "'grad_tensors' must be a number, a nested list, 'ones_like' or an expression, "
     "got a mapping", "2:15", "e.g. grad_tensors: ones_like"),
    ("steps: ['y = 1']\nexpect:\n  error: not_allowed\n",
     "expect.error: 'not_allowed' cannot be expected: it means the scenario cannot be used at "
     "all, so it never runs (exit 2)", "3:10",
     "fix the input instead; expectable kinds: non_scalar_backward, freed_graph, no_grad_fn, "
     "grad_shape_mismatch, inplace_modified, leaf_inplace, non_float_requires_grad, "
     "shape_mismatch, device_mismatch, dtype_mismatch, unknown_name, torch_error"),
    ("steps: ['y = 1']\nexpect:\n  error: {kind: freed_grap, step: 2}\n",
     "expect.error: unknown error kind 'freed_grap'; did you mean 'freed_graph'?", "3:17",
     "expectable kinds: non_scalar_backward, freed_graph, no_grad_fn, grad_shape_mismatch, "
     "inplace_modified, leaf_inplace, non_float_requires_grad, shape_mismatch, "
     "device_mismatch, dtype_mismatch, unknown_name, torch_error"),
    ("steps: ['y = 1']\nexpect:\n  error: {kind: freed_graph, stp: 2}\n",
     "unknown key 'stp' in expect.error at line 3; did you mean 'step'?", "3:30",
     "the keys of expect.error are: kind, step, call"),
    ("steps: ['y = 1']\nexpect:\n  notes: [accumulate]\n",
     "expect.notes: unknown note kind 'accumulate'; did you mean 'accumulated'?", "3:11",
     "note kinds: non_leaf_grad, accumulated, broadcast_sum, graph_rebuilt, no_gradient, "
     "non_finite_grad, hook_called, optimizer_step, custom_function, autograd_functional, "
     "legacy_api, module_hook, data_loader_in_process, figure_not_saved"),
    ("steps: ['y = 1']\nexpect:\n  prints: [3.0]\n",
     "'expect.prints[0]' must be a string, got 3.0", "3:12",
     "put the text in quotes, exactly as print() shows it"),
    ("steps: ['y = 1']\nexpect:\n  calls: {0: {x: 1}}\n",
     "expect.calls: keys are backward call numbers (1, 2, ...), got 0", "3:11",
     "e.g. calls: {1: {x: [1.0]}}"),
    ("steps: ['y = 1']\nexpect:\n  grads: {x: [1, [2]]}\n",
     "expect.grads.x: element [1] is a list but element [0] is a number", "3:18",
     "every row must have the same shape"),
    ("steps: ['y = 1']\ntolerance: -1\n",
     "'tolerance' must be a number >= 0, got -1", "2:12", "e.g. tolerance: 1.0e-6"),
    ("steps: ['y = 1']\nseed: 1.5\n",
     "'seed' must be an integer from 0 to 2**64 - 1, got 1.5", "2:7", "e.g. seed: 0"),
    ("steps: ['y = 1']\nname: 2024\n",
     "'name' must be a string, got 2024", "2:7", "put the text in quotes"),
    ("tensors: {x: '1.5'}\nsteps: ['y = 1']\n",
     "tensors.x: the value is a string ('1.5'); tensor values must be numbers", "1:14",
     "remove the quotes"),
    ("tensors: {x: [true]}\nsteps: ['y = 1']\n",
     "tensors.x: element [0] is a boolean (true); tensor values must be numbers", "1:15",
     "write numbers, e.g. 1.5 or [[1, 2], [3, 4]]; for code use {expr: ...}"),
    ("- a\n- b\n",
     "a scenario must be a mapping of keys (name, tensors, steps, ...), got a list", "1:1",
     "write `key: value` lines, e.g. `steps: |`"),
    ("# nothing here\n", "the scenario is empty", "1:1",
     "a scenario needs at least `expression:` or `steps:`"),
    ("steps: ['y = 1']\ntensors:\n  x: {ones: [2]\n",
     "YAML syntax error: expected ',' or '}', but got '<stream end>' (while parsing a flow "
     "mapping at line 3)", "4:1",
     "check indentation and quoting near here; text with ':', '#' or quotes needs quotes"),
    ("name: a: b\nsteps: ['y = 1']\n",
     "YAML syntax error: mapping values are not allowed here", "1:8",
     "a value that contains ': ' must be in quotes, e.g. - 'print(\"a: b\")'"),
    # plot: (an addition beyond the spec)
    ("steps: ['y = 1']\nplot:\n  x: x\n  y: [x.grad]\n  titel: relu\n",
     "unknown key 'titel' in plot at line 5; did you mean 'title'?", "5:3",
     "the keys of plot are: x, y, title, xlabel, ylabel"),
    ("steps: ['y = 1']\nplot:\n  x: x\n  y: [x.grad, torch.relu(x)]\n",
     "plot.y[1]: 'torch.relu(x)' is not a tensor name or NAME.grad (plot series are names, "
     "not code)", "4:15", "write a tensor's name, or NAME.grad for its gradient, e.g. x.grad; "
     "compute anything else in the steps and name it"),
    ("steps: ['y = 1']\nplot:\n  x: x.grad.sum()\n  y: [x]\n",
     "plot.x: 'x.grad.sum()' is not a tensor name or NAME.grad (plot series are names, "
     "not code)", "3:6", "write a tensor's name, or NAME.grad for its gradient, e.g. x.grad; "
     "compute anything else in the steps and name it"),
    ("steps: ['y = 1']\nplot:\n  x: x\n  y: {x: 1}\n",
     "'plot.y' must be a list of series (NAME or NAME.grad), got a mapping", "4:6",
     "e.g. y: [y, x.grad]"),
    ("steps: ['y = 1']\nplot:\n  x: x\n  y: [x, 2]\n",
     "'plot.y[1]' must be a tensor name or NAME.grad, got a number (2)", "4:10",
     "write a tensor's name, or NAME.grad for its gradient, e.g. x.grad"),
    ("steps: ['y = 1']\nplot: [x, y]\n",
     "'plot' must be a mapping, got a list", "2:7",
     "e.g. `plot: {x: x, y: [x.grad], title: grad of relu}`"),
    ("steps: ['y = 1']\nplot:\n  y: [x.grad]\n",
     "plot needs 'x'", "2:1", "e.g. `plot: {x: x, y: [x.grad], title: grad of relu}`"),
    ("steps: ['y = 1']\nplot:\n  x: x\n  y: [a, b, c, d, e, f, g]\n",
     "'plot.y' has 7 series; one plot draws at most 6", "4:25",
     "split them over several scenarios"),
    ("steps: ['y = 1']\nplot:\n  x: x\n  y: x\n  title: 3\n",
     "'plot.title' must be a string, got 3", "5:10", "put the text in quotes"),
    ("steps:\n  - print(\"a: b\")\n",
     "'steps[0]' must be code (a string), got a mapping", "2:5",
     "YAML read the ': ' in it as a key and value; put the statement in quotes, "
     "e.g. - 'print(\"a: b\")'"),
]


@pytest.mark.parametrize(("text", "message", "where", "hint"), BROKEN,
                         ids=[f"broken{i}" for i in range(len(BROKEN))])
def test_broken_files_exact_errors(tmp_path: Path, text: str, message: str, where: str,
                                   hint: str | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(GradexplainError) as info:
        load_scenario(path, LIMITS)
    err = info.value
    assert err.kind == "invalid_scenario"
    assert str(err) == message
    assert err.location is not None
    assert err.location.describe() == f"{path}:{where}"
    assert err.hint == hint
    line = int(where.split(":", maxsplit=1)[0])
    assert err.location.source_line == [*text.splitlines(), ""][line - 1]


def test_error_location_draws_a_caret(tmp_path: Path) -> None:
    path = write(tmp_path, "steps: ['y = 1']\nrepeat: -1\n")
    with pytest.raises(GradexplainError) as info:
        load_scenario(path, LIMITS)
    assert info.value.location is not None
    assert info.value.location.caret() == "repeat: -1\n        ^^"


@pytest.mark.parametrize(("name", "message", "hint"), [
    ("missing.yaml", "no such file: {path}",
     "check the path; scenarios are .yaml, .yml or .py files"),
    ("notes.txt", "{path} is not a scenario file (its suffix is '.txt')",
     "name YAML scenarios .yaml or .yml and Python snippets .py"),
    ("folder", "{path} is a directory, not a scenario file",
     "pass the .yaml/.yml/.py files in it, or the directory to `run`"),
])
def test_file_dispatch_errors(tmp_path: Path, name: str, message: str, hint: str) -> None:
    (tmp_path / "notes.txt").write_text("steps: ['y = 1']\n")
    (tmp_path / "folder").mkdir()
    path = tmp_path / name
    with pytest.raises(GradexplainError) as info:
        load_scenario(path, LIMITS)
    assert info.value.kind == "invalid_scenario"
    assert str(info.value) == message.format(path=path)
    assert info.value.hint == hint
    assert info.value.exit_status == 2


def test_empty_snippet_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GradexplainError) as info:
        load_scenario(write(tmp_path, "\n  \n", "blank.py"), LIMITS)
    assert str(info.value) == "the snippet is empty"


def test_unknown_key_without_close_match_lists_the_keys() -> None:
    with pytest.raises(GradexplainError) as info:
        load("steps: ['y = 1']\nzzz: 1\n")
    assert str(info.value) == "unknown key 'zzz' at line 2"
    assert info.value.hint is not None and info.value.hint.startswith("the keys of a scenario")


def test_yes_as_a_key_is_explained() -> None:
    with pytest.raises(GradexplainError) as info:
        load("steps: ['y = 1']\nyes: 1\n")
    assert str(info.value) == "unknown key true at line 2"
    assert info.value.hint is not None
    assert info.value.hint.startswith("YAML reads yes/no/on/off as true/false")


def test_plot_section_is_parsed_with_positions() -> None:
    s = load("tensors: {x: [1.0, 2.0]}\nsteps: ['y = x * 2']\nplot:\n  x: x\n"
             "  y: [y, x.grad]\n  title: grad of relu\n  ylabel: value\n")
    assert s.plot is not None
    assert (s.plot.x.name, s.plot.x.grad) == ("x", False)
    assert [(p.name, p.grad, p.text) for p in s.plot.series] == [
        ("y", False, "y"), ("x", True, "x.grad")]
    assert (s.plot.title, s.plot.xlabel, s.plot.ylabel) == ("grad of relu", None, "value")
    assert s.plot.series[1].location is not None
    assert s.plot.series[1].location.describe() == "t.yaml:5:10"
    assert s.plot.location is not None and s.plot.location.line == 3


def test_plot_one_series_without_brackets() -> None:
    s = load("steps: ['y = 1']\nplot: {x: x, y: x.grad}\n")
    assert s.plot is not None
    assert [p.text for p in s.plot.series] == ["x.grad"]
    assert load("steps: ['y = 1']\nplot:\n").plot is None  # empty means none


def test_bundled_scenarios_load() -> None:
    folder = Path(__file__).resolve().parents[1] / "scenarios"
    files = sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml", ".py"))
    for path in files:
        assert load_scenario(path, LIMITS).name
