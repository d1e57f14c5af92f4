"""Red-team cases for issue 29's wider language: numpy's file, memory and object entry points,
sizes checked before numpy allocates, placeholders touched in every way, `id`/`dir` leaking
nothing, deep copies planned against memory, and random/time kept inside the run."""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from gradexplain.engine.runner import run_scenario
from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.options import RunOptions
from gradexplain.scenario.loader import load_scenario

NA, LIMIT = "not_allowed", "limit_exceeded"
NP = "import numpy as np\n"
ATTACKS = [
    # numpy's files, raw memory, pickles and Python objects
    ("np_load", NP + "a = np.load('x.npy', allow_pickle=True)", NA),
    ("np_save", NP + "np.save('pwned.npy', np.ones(2))", NA),
    ("np_savetxt", NP + "np.savetxt('pwned.txt', np.ones(2))", NA),
    ("np_loadtxt", NP + "a = np.loadtxt('/etc/passwd')", NA),
    ("np_genfromtxt", NP + "a = np.genfromtxt('/etc/passwd')", NA),
    ("np_fromfile", NP + "a = np.fromfile('/etc/passwd')", NA),
    ("np_memmap", NP + "a = np.memmap('pwned', mode='w+', shape=(2,))", NA),
    ("np_frombuffer", NP + "a = np.frombuffer(b'abcd', dtype=np.uint8)", NA),
    ("np_ctypeslib", "import numpy.ctypeslib", NA),
    ("np_ctypes_attr", NP + "p = np.ones(2).ctypes", NA),
    ("np_data_attr", NP + "p = np.ones(2).data", NA),
    ("np_array_interface", NP + "p = np.ones(2).__array_interface__", NA),
    ("np_tofile", NP + "np.ones(2).tofile('pwned')", NA),
    ("np_dump", NP + "np.ones(2).dump('pwned')", NA),
    ("np_tobytes", NP + "b = np.ones(2).tobytes()", NA),
    ("np_view_dtype", NP + "v = np.ones(2).view(np.int64)", NA),
    ("np_stride_tricks", NP + "f = np.lib.stride_tricks.as_strided", NA),
    ("np_object_dtype", NP + "a = np.array([1, 2], dtype='O')", NA),
    ("np_object_empty", NP + "a = np.empty(2, dtype=object)", "unknown_name"),
    ("np_array_of_functions", NP + "a = np.array([lambda: 1])", NA),
    ("np_array_of_modules", NP + "import torch\na = np.array([torch.nn.Linear(1, 1)])", NA),
    ("np_vectorize", NP + "f = np.vectorize(lambda x: x)", NA),
    ("np_frompyfunc", NP + "f = np.frompyfunc(abs, 1, 1)", NA),
    ("np_apply_along_axis", NP + "a = np.apply_along_axis(sum, 0, np.ones((2, 2)))", NA),
    ("np_formatter", NP + "np.set_printoptions(formatter={'float': lambda x: 'x'})", NA),
    ("np_dtype_callable", NP + "a = np.zeros(2, dtype=lambda: 1)", NA),
    ("np_random_bit_generator", NP + "g = np.random.default_rng(0).bit_generator", NA),
    # sizes, checked before numpy allocates
    ("np_zeros_huge", NP + "a = np.zeros(10**12)", LIMIT),
    ("np_ones_square", NP + "a = np.ones((10**5, 10**5))", LIMIT),
    ("np_full_huge", NP + "a = np.full((10**6, 10**6), 1.0)", LIMIT),
    ("np_rand_huge", NP + "a = np.random.rand(10**5, 10**5)", LIMIT),
    ("np_normal_huge", NP + "a = np.random.normal(0, 1, size=(10**6, 10**6))", LIMIT),
    ("np_arange_huge", NP + "a = np.arange(1e12)", LIMIT),
    ("np_linspace_huge", NP + "a = np.linspace(0, 1, 10**12)", LIMIT),
    ("np_eye_huge", NP + "a = np.eye(10**6)", LIMIT),
    ("np_tile_huge", NP + "a = np.tile(np.ones(10), 10**11)", LIMIT),
    ("np_repeat_method", NP + "a = np.ones(10).repeat(10**12)", LIMIT),
    ("np_outer_huge", NP + "v = np.ones(10**6)\na = np.outer(v, v)", LIMIT),
    ("np_broadcast_operator", NP + "a = np.ones((10**5, 1)) + np.ones((1, 10**5))", LIMIT),
    ("np_broadcast_compare", NP + "a = np.ones((10**5, 1)) == np.ones((1, 10**5))", LIMIT),
    ("np_broadcast_function", NP + "a = np.maximum(np.ones((10**5, 1)), np.ones(10**5))",
     LIMIT),
    ("np_matmul_huge", NP + "a = np.ones((10**5, 1)) @ np.ones((1, 10**5))", LIMIT),
    ("np_dot_huge", NP + "a = np.dot(np.ones((10**5, 1)), np.ones((1, 10**5)))", LIMIT),
    ("np_inner_huge", NP + "a = np.inner(np.ones((10**5, 1)), np.ones((10**5, 1)))", LIMIT),
    ("np_fancy_index", NP + "i = np.arange(10**5)\na = np.ones(10**5)[i[:, None], None]"
     "\nb = np.ones((10**5, 10**5 // 10**5))[i[:, None], i[None, :] * 0]", LIMIT),
    ("np_svd_full", NP + "u = np.linalg.svd(np.ones((10**5, 2)))", LIMIT),
    ("np_histogram_bins", NP + "h = np.histogram(np.ones(2), bins=10**12)", LIMIT),
    ("np_broadcast_to", NP + "a = np.broadcast_to(1.0, (10**6, 10**6))", LIMIT),
    ("np_meshgrid", NP + "v = np.ones(10**5)\na = np.meshgrid(v, v)", LIMIT),
    ("np_split_sections", NP + "a = np.array_split(np.ones(2), 10**9)", LIMIT),
    ("np_shape_0d_array", NP + "a = np.zeros(np.array(10**12))", LIMIT),
    ("np_shape_tensor", NP + "import torch\na = np.ones(torch.tensor([10**6, 10**6]))", LIMIT),
    ("np_arange_keywords", NP + "a = np.arange(start=0, stop=1e12)", LIMIT),
    ("np_sum_of_range", NP + "s = np.sum(range(10**12))", LIMIT),
    ("np_sum_of_shared_lists", NP + "row = [0] * 4096\nm = [row] * 4096\n"
     "s = np.mean([m] * 4096)", LIMIT),
    ("np_method_list_argument", NP + "row = [1] * 4096\nm = [row] * 4096\n"
     "s = np.ones(2).dot([m] * 4096)", LIMIT),
    ("deque_of_range", "from collections import deque\nd = deque(range(10**12))", LIMIT),
    ("counter_of_range", "import collections\nc = collections.Counter(range(10**12))", LIMIT),
    ("np_r_slice_huge", NP + "a = np.r_[0:10**12]", LIMIT),
    ("np_c_complex_huge", NP + "a = np.c_[0:1:10**12 * 1j]", LIMIT),
    ("np_r_directive", NP + "a = np.r_['0,2', np.ones(2)]", NA),
    ("np_print_precision", NP + "np.set_printoptions(precision=10**9)", LIMIT),
    ("torch_print_precision", "import torch\ntorch.set_printoptions(precision=10**9)", LIMIT),
    ("tensor_plus_array", NP + "import torch\na = torch.ones(10**5, 1) + np.ones((1, 10**5))",
     LIMIT),
    # placeholders: touched in every way, refused where touched
    ("placeholder_attribute", "import os\nos.system('touch pwned')", NA),
    ("placeholder_call", "from os import system\nsystem('touch pwned')", NA),
    ("placeholder_iterate", "import sys\nfor p in sys:\n    pass", NA),
    ("placeholder_unpack", "import sys\na, b = sys", NA),
    ("placeholder_star", "import sys\nprint(*sys)", NA),
    ("placeholder_torch_argument", "import torch\nimport os\nx = torch.tensor(os)", NA),
    ("placeholder_hook_argument", "import torch\nimport os\nx = torch.ones(1, requires_grad="
     "True)\nx.register_hook(os)", NA),
    ("placeholder_numpy_argument", NP + "import os\na = np.array(os)", NA),
    ("placeholder_builtin", "import os\nn = len(os)", NA),
    ("placeholder_print", "import os\nprint(os)", NA),
    ("placeholder_fstring", "import os\ns = f'{os}'", NA),
    ("placeholder_format", "import os\ns = '{}'.format(os)", NA),
    ("placeholder_str", "import os\ns = str(os)", NA),
    ("placeholder_repr", "import os\ns = repr(os)", NA),
    ("placeholder_compare", "import os\nb = os == 1", NA),
    ("placeholder_truth", "import os\nif os:\n    pass", NA),
    ("placeholder_arithmetic", "import os\nx = os + 1", NA),
    ("placeholder_item", "import os\nx = os['PATH']", NA),
    ("placeholder_item_set", "import os\nos['PATH'] = 1", NA),
    ("placeholder_attribute_set", "import os\nos.environ = {}", NA),
    ("placeholder_in_list", "import os\nl = [os]\nprint(l)", NA),
    ("placeholder_from_function", "import subprocess\ndef f():\n    return subprocess\n"
     "f().run(['id'])", NA),
    ("placeholder_deepcopy", "import copy\nimport pickle\nc = copy.deepcopy(pickle)", NA),
    ("placeholder_dotted", "import os.path\np = os.path.join('a', 'b')", NA),
    ("placeholder_alias", "import pickle as pk\npk.loads(b'')", NA),
    ("unknown_module_refused", "import ctypes", NA),
    ("unknown_from_refused", "from ctypes import CDLL", NA),
    ("placeholder_private_name", "from os import _exit", NA),
    ("placeholder_hasattr", "import os\nb = hasattr(os, 'system')", NA),
    # id, dir, hasattr, __name__, __class__: nothing beyond names and booleans
    ("hasattr_then_getattr", "import torch\nx = torch.ones(1)\nb = hasattr(x, '__class__')\n"
     "assert not b\nc = getattr(x, 'storage')", NA),
    ("class_dunder_other", "import torch\nx = torch.ones(1).__class__.__bases__", NA),
    ("class_dunder_alone", "import torch\nc = torch.ones(1).__class__", NA),
    ("name_assigned", "__name__ = 'x'", NA),
    ("dunder_name_call", "import torch\nf = torch.ones.__name__.__class__", NA),
    # the user's own names: still nothing of torch's globals, nor of nn.Module's internals
    ("torch_set_global", "import torch\ntorch.set_num_threads(1)", NA),
    ("tensor_set_", "import torch\nx = torch.ones(1)\nx.set_(torch.ones(2))", NA),
    ("module_private_internal", "import torch\nclass N(torch.nn.Module):\n"
     "    def _hooks(self):\n        return self._forward_hooks\nn = N()\nn._hooks()", NA),
    ("module_private_set_internal", "import torch\nclass N(torch.nn.Module):\n"
     "    def __init__(self):\n        super().__init__()\n        self._x = 1\n"
     "        self._parameters = {}\nn = N()", NA),
    ("backends_setting", "import torch\ntorch.backends.cudnn.benchmark = True", NA),
    ("profiler", "import torch\np = torch.autograd.profiler.profile()", NA),
    # time and random stay inside the run
    ("sleep_past_budget", "import time\ntime.sleep(10**6)", LIMIT),
    ("random_sample_huge", "import random\ns = random.sample(range(10**12), 10**10)", LIMIT),
    ("deepcopy_past_memory", "import copy\nimport torch\nx = torch.ones(2**24)\n"
     "y = copy.deepcopy([x, x * 2, x * 3])", LIMIT),
]


@pytest.mark.parametrize(("name", "text", "kind"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack_on_the_wider_language_is_refused(name: str, text: str, kind: str,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "attack.py"
    path.write_text(text, encoding="utf-8")
    # the deep copy is refused against a small memory budget; everything else by its rule
    limits = Limits(max_memory=220 * 2**20 + _resident()) if name.startswith("deepcopy") \
        else Limits()
    started = time.process_time()
    try:
        record = run_scenario(load_scenario(path, limits), RunOptions(limits=limits))
    except GradexplainError as refused:  # before anything runs
        found, message = refused.kind, refused.message
    else:
        assert record.error is not None, "ran to the end"
        found, message = record.error.kind, record.error.message
    assert found == kind, f"{found}: {message}"
    assert time.process_time() - started < 2.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attack.py"], "a file was written"


def _resident() -> int:
    from gradexplain.language.budget import resident_bytes

    return resident_bytes()


def test_a_placeholder_refusal_names_the_module_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.py"
    path.write_text("import torch\nimport os\nx = torch.ones(1)\nprint(f'{x} {os}')\n",
                    encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is not None
    assert (record.error.kind, record.error.line) == ("not_allowed", 4)
    assert "module 'os'" in record.error.message


def test_id_and_dir_reveal_no_address_and_no_private_name(tmp_path: Path) -> None:
    path = tmp_path / "p.py"
    path.write_text("import torch\nimport numpy as np\nx = torch.ones(1)\n"
                    "net = torch.nn.Linear(1, 1)\nprint(id(x), id(net), id(x))\n"
                    "print(dir(torch))\nprint(dir(x))\nprint(dir(net))\nprint(dir(np))\n"
                    "print(dir())\n", encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is None, record.error
    printed = [p.text for p in record.prints]
    assert printed[0] == "1 2 1"
    listed = " ".join(printed[1:])
    for secret in ("'_C'", "'load'", "'save'", "'hub'", "'_parameters'", "'__class__'",
                   "'ctypes'", "'fromfile'", "'memmap'", "'__dict__'"):
        assert secret not in listed
    assert printed[-1] == "['net', 'np', 'torch', 'x']"


def test_no_value_prints_a_memory_address(tmp_path: Path) -> None:
    path = tmp_path / "p.py"
    path.write_text("import torch\nimport numpy as np\nprint(torch.Generator(), np.c_)\n"
                    "print(f'{np.r_}', [np.c_])\n", encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is None, record.error
    assert all(" at 0x" not in p.text for p in record.prints)


def test_random_and_print_options_do_not_leak_out_of_the_run(tmp_path: Path) -> None:
    path = tmp_path / "p.py"
    path.write_text("import random\nimport numpy as np\nimport torch\nrandom.seed(99)\n"
                    "np.random.seed(99)\nnp.set_printoptions(precision=1)\n"
                    "torch.set_printoptions(precision=1)\nx = random.random()\n",
                    encoding="utf-8")
    python_state, numpy_state = random.getstate(), np.random.get_state(legacy=False)
    options = (np.get_printoptions(), dict(vars(torch._tensor_str.PRINT_OPTS)))
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is None
    assert random.getstate() == python_state
    after = np.random.get_state(legacy=False)
    assert after["state"]["key"].tolist() == numpy_state["state"]["key"].tolist()
    assert (np.get_printoptions(), dict(vars(torch._tensor_str.PRINT_OPTS))) == options
