"""The attack suite: scenario code from anywhere can do nothing but build tensors.

Every case is refused with the right kind, writes no file, and returns in well under a second
(torch is already loaded by then).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gradexplain.engine.runner import run_scenario
from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario

MARKER = Path("/tmp/gradexplain-attack-marker")
NA, LIMIT, INVALID = "not_allowed", "limit_exceeded", "invalid_scenario"

PY_ATTACKS: list[tuple[str, str, str]] = [
    # dunder and frame walks
    ("dunder_class", "x = torch.ones(2).__class__", NA),
    ("subclasses", "y = ().__class__.__bases__[0].__subclasses__()", NA),
    ("dunder_dict", "x = torch.ones(2)\ny = x.__dict__", NA),
    ("torch_builtins", "y = torch.__builtins__", NA),
    ("torch_C", "y = torch._C", NA),
    ("grad_fn_call", "x = torch.ones(2, requires_grad=True) * 2\ny = x.grad_fn.__call__", NA),
    ("grad_fn_metadata", "x = torch.ones(2, requires_grad=True) * 2\ny = x.grad_fn.metadata",
     NA),
    ("shape_class", "x = torch.ones(2)\ny = x.shape.__class__", NA),
    ("reduce_ex", "y = torch.tensor([1.]).__reduce_ex__(2)", NA),
    ("repr_dunder", "x = torch.ones(2)\nprint(x.__repr__())", NA),
    ("frame_walk", "x = torch.ones(2)\ny = x.tolist.__self__", NA),
    # format-string tricks
    ("format_attr", 'x = torch.ones(2)\nprint("{0.__class__}".format(x))', NA),
    ("format_index", 'x = [1]\nprint("{0[0]}".format(x))', NA),
    ("format_nested_spec", 'print("{:{}}".format(1, 2))', NA),
    ("fstring_dunder", 'x = torch.ones(2)\nprint(f"{x.__class__}")', NA),
    ("fstring_nested_spec", "print(f\"{1:{'>'}10}\")", NA),
    ("huge_width_spec", 'print(f"{1:999999999}")', NA),
    # lambdas, comprehensions, walrus, unpacking, other statements
    ("walrus", "y = (z := 1)", NA),
    # the widened language: closures, hooks, recursion, generators, classes, decorators
    ("closure_open", "def f():\n    return open('/etc/passwd')\nf()", NA),
    ("closure_captures_eval", "def outer():\n    g = eval\n    return g\nouter()",
     "unknown_name"),
    ("lambda_dunder", "f = lambda t: t.__class__\nf(torch.ones(1))", NA),
    ("lambda_default_dunder", "f = lambda t=().__class__: t", NA),
    ("hook_escape_dunder",
     "x = torch.ones(2, requires_grad=True)\nx.register_hook(lambda g: g.__class__)\n"
     "x.sum().backward()", NA),
    ("hook_returns_module",
     "x = torch.ones(2, requires_grad=True)\nh = x.register_hook(lambda g: torch)\n"
     "x.sum().backward()", "torch_error"),
    ("hook_numpy_tofile", "x = torch.ones(2, requires_grad=True)\n"
     "x.register_hook(lambda g: g.numpy().tofile('pwned'))\nx.sum().backward()", NA),
    ("node_hook_dunder", "x = torch.ones(2, requires_grad=True)\ny = x * 2\n"
     "y.grad_fn.register_hook(lambda gi, go: gi.__class__)\ny.sum().backward()", NA),
    ("recursion_bomb", "def f(n):\n    return f(n + 1)\nf(0)", LIMIT),
    ("mutual_recursion", "def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\na(1)",
     LIMIT),
    ("lambda_recursion", "f = lambda n: f(n)\nf(1)", LIMIT),
    ("hook_recursion", "x = torch.ones(1, requires_grad=True)\n"
     "def h(g):\n    return h(g)\nx.register_hook(h)\nx.sum().backward()", LIMIT),
    ("while_true", "while True:\n    pass", LIMIT),
    ("comprehension_bomb", "y = [i for i in range(10**9)]", LIMIT),
    ("nested_comprehension", "y = [i * j for i in range(10**5) for j in range(10**5)]",
     LIMIT),
    ("generator_sum_bomb", "y = sum(i for i in range(10**9))", LIMIT),
    ("list_builtin_range", "y = list(range(10**10))", LIMIT),
    ("yield_lambda", "g = lambda: (yield 1)", NA),
    ("yield_comprehension", "def g():\n    return [(yield i) for i in range(3)]", NA),
    ("generator_bomb", "def g():\n    while 1 < 2:\n        yield 1\nfor v in g():\n    pass",
     LIMIT),
    ("generator_frame", "g = (i for i in [1])\nf = g.gi_frame", NA),
    ("class_other_base", "class A(dict):\n    pass", NA),
    ("class_two_bases", "class A:\n    pass\nclass B:\n    pass\nclass C(A, B):\n    pass",
     NA),
    ("class_builtin_base", "class A(print):\n    pass", NA),
    ("class_function_base", "class E(torch.autograd.Function):\n    @staticmethod\n"
     "    def forward(ctx, x):\n        return x\n    @staticmethod\n"
     "    def backward(ctx, g):\n        return g\nclass F(E):\n    pass", NA),
    ("class_metaclass", "from torch import nn\nclass A(nn.Module, metaclass=type):\n    pass",
     NA),
    ("class_dunder_method", "from torch import nn\nclass A(nn.Module):\n"
     "    def __getattr__(self, n):\n        return 1", NA),
    ("class_del", "from torch import nn\nclass A(nn.Module):\n    def __del__(self):\n"
     "        pass", NA),
    ("class_decorator", "from torch import nn\n@print\nclass A(nn.Module):\n    pass", NA),
    ("function_class_dunder", "class E(torch.autograd.Function):\n"
     "    def __call__(self):\n        pass", NA),
    ("other_decorator", "@print\ndef f():\n    pass", NA),
    ("decorator_property", "@property\ndef f():\n    pass", NA),
    ("decorator_call_other", "@torch.jit.script\ndef f(x):\n    return x", NA),
    ("global_stmt", "def f():\n    global torch\n    torch = 1", NA),
    ("nonlocal_stmt", "def f():\n    a = 1\n    def g():\n        nonlocal a\n", NA),
    ("except_base", "try:\n    pass\nexcept BaseException:\n    pass", NA),
    ("except_system_exit", "try:\n    pass\nexcept SystemExit:\n    pass", NA),
    ("catch_refusal", "try:\n    y = torch.ones(10**10)\nexcept Exception:\n    pass", LIMIT),
    ("raise_other", "raise SystemExit(1)", NA),
    ("user_fn_attribute", "def f():\n    pass\ny = f.__code__", NA),
    ("user_fn_globals", "def f():\n    pass\ny = f.globals", NA),
    ("super_other", "y = super().__init__", NA),
    ("module_dict", "from torch import nn\nm = nn.Linear(2, 2)\ny = m.__dict__", NA),
    ("module_setattr_method", "from torch import nn\nm = nn.Linear(2, 2)\nm.forward = print",
     NA),
    ("module_forward_hook_dunder", "from torch import nn\nm = nn.Linear(2, 2)\n"
     "m.register_forward_hook(lambda m, i, o: m.__class__)\ny = m(torch.ones(2))", NA),
    ("module_hook_recursion", "from torch import nn\nm = nn.Linear(2, 2)\n"
     "def h(mod, i, o):\n    return mod(o)\nm.register_forward_hook(h)\ny = m(torch.ones(2))",
     LIMIT),
    ("module_table_non_module", "from torch import nn\nclass N(nn.Module):\n"
     "    def __init__(self):\n        super().__init__()\n        self._modules['a'] = print\n"
     "n = N()", "torch_error"),
    ("module_table_torch_layer", "from torch import nn\nm = nn.Linear(2, 2)\n"
     "t = m._parameters", NA),
    ("module_table_other_private", "from torch import nn\nclass N(nn.Module):\n"
     "    def __init__(self):\n        super().__init__()\n        self._buffers['a'] = 1\n"
     "n = N()", NA),
    ("user_class_dunder_class", "class A:\n    pass\ny = A().__class__", NA),
    ("user_class_dict", "class A:\n    pass\ny = A().__dict__", NA),
    ("user_class_getattribute", "class A:\n    def __getattribute__(self, n):\n"
     "        return 1", NA),
    ("user_class_init_subclass", "class A:\n    def __init_subclass__(cls):\n        pass",
     NA),
    ("user_class_del", "class A:\n    def __del__(self):\n        pass", NA),
    ("user_class_reduce", "class A:\n    def __reduce__(self):\n        return (print, ())",
     NA),
    ("user_class_metaclass", "class A(metaclass=type):\n    pass", NA),
    ("user_class_setattr_private", "class A:\n    pass\na = A()\na._x = 1", NA),
    ("user_class_len_recursion", "class A:\n    def __len__(self):\n        return len(self)\n"
     "y = len(A())", LIMIT),
    ("dataloader_workers_context", "from torch.utils.data import DataLoader\n"
     "d = DataLoader([1, 2], multiprocessing_context='fork')", NA),
    ("dataloader_sampler", "from torch.utils.data import DataLoader\n"
     "d = DataLoader([1, 2], sampler=[0, 1])", NA),
    ("dataloader_bad_dataset", "from torch.utils.data import DataLoader\n"
     "d = DataLoader(torch)", NA),
    ("dataloader_collate_escape", "from torch.utils.data import DataLoader\n"
     "d = DataLoader([1, 2], collate_fn=lambda b: b.__class__)\ny = next(iter(d))", NA),
    ("dataloader_endless", "from torch.utils.data import DataLoader\n"
     "d = DataLoader(list(range(10**6)))\nfor b in d:\n    pass", LIMIT),
    ("iter_two_arguments", "y = iter(print, 1)", "torch_error"),
    ("next_not_iterator", "y = next(torch)", "torch_error"),
    ("pyplot_private", "import matplotlib.pyplot as plt\ny = plt._backend_mod", NA),
    ("pyplot_unknown", "import matplotlib.pyplot as plt\nplt.switch_backend('agg')", NA),
    ("matplotlib_other", "import matplotlib\nmatplotlib.use('agg')", NA),
    ("optimizer_private", "from torch import nn\nm = nn.Linear(2, 2)\n"
     "o = torch.optim.SGD(m.parameters(), lr=0.1)\ny = o._optimizer_step_code", NA),
    ("ctx_private", "class E(torch.autograd.Function):\n    @staticmethod\n"
     "    def forward(ctx, x):\n        return ctx._forward_cls\n"
     "    @staticmethod\n    def backward(ctx, g):\n        return g\n"
     "E.apply(torch.ones(1, requires_grad=True))", NA),
    ("function_class_call", "class E(torch.autograd.Function):\n    @staticmethod\n"
     "    def forward(ctx, x):\n        return x\n    @staticmethod\n"
     "    def backward(ctx, g):\n        return g\ny = E()", NA),
    ("saved_raw", "x = torch.ones(2, requires_grad=True)\ny = x.exp()\n"
     "z = y.grad_fn._raw_saved_result", NA),
    ("format_runtime_template", "t = '{0.__class__}'\nprint(t.format(1))", NA),
    ("runtime_kwargs_dunder", "y = torch.ones(2, **{'__class__': 1})", NA),
    ("new_ones_huge", "x = torch.ones(2)\ny = x.new_ones(10**9)", LIMIT),
    ("string_ljust", "y = 'a'.ljust(10**9)", NA),
    ("isinstance_probe", "y = isinstance(1, torch.nn.Module.__class__)", NA),
    # builtins
    ("eval", 'eval("1")', NA),
    ("exec", 'exec("x = 1")', NA),
    ("open", 'open("/etc/passwd")', NA),
    ("dunder_import", '__import__("os")', NA),
    ("getattr", "getattr(torch, 'load')", NA),
    ("globals", "y = globals()", NA),
    ("breakpoint", "breakpoint()", NA),
    ("type_three_args", "y = type('X', (), {})", NA),
    ("type_dunder", "y = type(1).__subclasses__()", NA),
    # imports
    ("import_numpy_ctypeslib", "import numpy.ctypeslib", NA),
    ("import_torch_hub", "from torch import hub", NA),
    ("from_torch_load", "from torch import load", NA),
    ("import_relative", "from . import x", NA),
    ("from_autograd_private", "from torch.autograd import _functions", NA),
    # a known module binds a placeholder: refused where it is used
    ("import_os", "import os\nos.system('touch pwned')", NA),
    ("from_os", "from os import system\nsystem('touch pwned')", NA),
    ("import_torch_utils_other", "from torch.utils import cpp_extension", NA),
    # unicode look-alikes (Python folds them to the ASCII names)
    ("lookalike_eval", "\uff45val('1')", NA),
    ("lookalike_tofile", "x = torch.ones(2)\ny = x.numpy().\uff54ofile('pwned')", NA),
    # strings outside print
    ("bytes", "x = b'abc'", NA),
    # torch's file, pickle, network, compile, ops, library, hub, storage, numpy entry points
    ("torch_load", 'x = torch.load("f.pt")', NA),
    ("torch_save", 'x = torch.ones(2)\ntorch.save(x, "pwned.pt")', NA),
    ("torch_hub", 'm = torch.hub.load("a/b", "c")', NA),
    ("torch_jit", "f = torch.jit.script", NA),
    ("torch_compile", "f = torch.compile", NA),
    ("torch_ops", "f = torch.ops.aten.add", NA),
    ("torch_library", "f = torch.library.Library", NA),
    ("torch_utils", "f = torch.utils.checkpoint", NA),
    ("torch_utils_data_private", "f = torch.utils.data._utils", NA),
    ("torch_from_file", 'x = torch.from_file("/etc/passwd")', NA),
    ("torch_distributed", "d = torch.distributed", NA),
    ("torch_set_default", "torch.set_default_dtype(torch.float64)", NA),
    ("torch_package", "p = torch.package", NA),
    ("numpy_load", "import numpy as np\nx = np.load('f.npy', allow_pickle=True)", NA),
    ("numpy_tofile", 'x = torch.ones(2)\nx.numpy().tofile("pwned")', NA),
    ("storage", "x = torch.ones(2)\ns = x.storage()", NA),
    ("untyped_storage", "x = torch.ones(2)\ns = x.untyped_storage()", NA),
    ("data_ptr", "x = torch.ones(2)\np = x.data_ptr()", NA),
    ("apply_", "x = torch.ones(2)\nx.apply_(print)", NA),
    ("resize_", "x = torch.ones(2)\nx.resize_(10**9)", NA),
    ("bad_device", 'x = torch.ones(2, device="cuda:0; import os")', NA),
    ("bad_to", 'x = torch.ones(2)\ny = x.to("file:///etc")', NA),
    # huge allocations, broadcast / expand / matmul blow-ups
    ("ones_huge", "x = torch.ones(100000, 100000)", LIMIT),
    ("zeros_2_40", "x = torch.zeros(2**40)", LIMIT),
    ("tensor_sizes", "x = torch.Tensor(100000, 100000)", LIMIT),
    ("arange_huge", "x = torch.arange(1e12)", LIMIT),
    ("linspace_huge", "x = torch.linspace(0, 1, 10**10)", LIMIT),
    ("eye_huge", "x = torch.eye(100000)", LIMIT),
    ("broadcast_blowup", "x = torch.ones(5000, 1) + torch.ones(1, 5000)", LIMIT),
    ("expand_blowup", "x = torch.ones(1).expand(10**8)", LIMIT),
    ("matmul_blowup", "x = torch.ones(4200, 1) @ torch.ones(1, 4200)", LIMIT),
    ("outer_blowup", "x = torch.outer(torch.ones(5000), torch.ones(5000))", LIMIT),
    ("repeat_blowup", "x = torch.ones(3).repeat(10**7)", LIMIT),
    ("cat_blowup", "x = torch.ones(10**6)\ny = torch.cat([x] * 100)", LIMIT),
    # exponent towers and other plain-number bombs
    ("exponent_tower", "x = 9**9**9", LIMIT),
    ("shift_bomb", "x = 2 << 10**6", LIMIT),
    ("list_bomb", "x = [0] * 10**9", LIMIT),
    ("string_bomb", 'print("a" * 10**9)', LIMIT),
    # endless loops and deep nesting
    ("huge_range", "for i in range(10**9):\n    pass", LIMIT),
    ("nested_loops", "for i in range(100000):\n    for j in range(100000):\n        y = 1",
     LIMIT),
    ("deep_unary", "x = " + "-" * 200 + "1", LIMIT),
    ("deep_calls", "x = " + "torch.neg(" * 40 + "torch.ones(1)" + ")" * 40, LIMIT),
    ("deep_lists", "x = " + "[" * 60 + "1" + "]" * 60, LIMIT),
    ("long_statement", "x = " + " + ".join(["1"] * 1000), LIMIT),
]

YAML_ATTACKS: list[tuple[str, str, str]] = [
    ("yaml_python_tag", 'steps: !!python/object/apply:os.system ["touch /tmp/pwned"]\n',
     INVALID),
    ("yaml_custom_tag", "steps: !foo bar\n", INVALID),
    ("yaml_alias_bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a]\n"
                        "c: [*b, *b, *b, *b, *b, *b]\nsteps: ['x = 1']\n", INVALID),
    ("yaml_merge_key", "base: &b {ones: [2]}\ntensors:\n  x:\n    <<: *b\nsteps: ['y = 1']\n",
     INVALID),
    ("yaml_duplicate_key", "steps: ['x = 1']\nsteps: ['y = 2']\n", INVALID),
    ("yaml_huge_tensor", "tensors:\n  x: {ones: [100000, 100000]}\nsteps: ['y = x']\n", LIMIT),
    ("yaml_deep", "steps: ['x = 1']\nexpect:\n  values:\n    x: " + "[" * 100 + "1" + "]" * 100
     + "\n", LIMIT),
    ("yaml_expr_escape", "tensors:\n  x: {expr: 'torch.ones(2).__class__'}\nsteps: ['y = x']\n",
     NA),
    ("yaml_grad_tensors_escape", "tensors:\n  x: {ones: [2]}\nexpression: x * 2\n"
                                 "grad_tensors: 'torch.load(x)'\n", NA),
]


def _refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filename: str,
             text: str) -> GradexplainError:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    started = time.process_time()  # CPU time: the work done, whatever the machine's load
    with pytest.raises(GradexplainError) as caught:
        scenario = load_scenario(path, Limits())
        record = run_scenario(scenario)
        if record.error is not None:
            raise GradexplainError(record.error.kind, record.error.message)
    elapsed = time.process_time() - started
    assert elapsed < 1.0, f"took {elapsed:.2f} s of CPU"
    assert sorted(p.name for p in tmp_path.iterdir()) == [filename], "a file was written"
    assert not MARKER.exists()
    assert not Path("/tmp/pwned").exists()
    return caught.value


@pytest.mark.parametrize(("name", "code", "kind"), PY_ATTACKS, ids=[a[0] for a in PY_ATTACKS])
def test_snippet_attack_is_refused(name: str, code: str, kind: str, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    error = _refused(tmp_path, monkeypatch, "attack.py", "import torch\n" + code + "\n")
    assert error.kind == kind, f"{error.kind}: {error.message}"


@pytest.mark.parametrize(("name", "text", "kind"), YAML_ATTACKS,
                         ids=[a[0] for a in YAML_ATTACKS])
def test_yaml_attack_is_refused(name: str, text: str, kind: str, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    error = _refused(tmp_path, monkeypatch, "attack.yaml", text)
    assert error.kind == kind, f"{error.kind}: {error.message}"


def test_refusal_points_at_the_leftmost_offender(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    error = _refused(tmp_path, monkeypatch, "attack.py",
                     "import torch\nx = torch.ones(2)\ny = x.storage() + open('f')\n")
    assert error.location is not None
    assert (error.location.line, error.location.col) == (3, 7)
    assert "storage" in error.message
    assert error.location.caret() == "y = x.storage() + open('f')\n      ^^^^^^^"
