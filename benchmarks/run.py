"""Benchmarks: gradexplain against plain Python doing the same work.

Each case runs command A (gradexplain) and command B (a plain Python baseline) in fresh
processes, alternating A, B, A, B ... after one warm-up pair, and reports the median wall
time of each, the median of the per-pair ratios A/B, the target and PASS/FAIL. Peak memory
is each child's own ru_maxrss, read with os.wait4.

    python benchmarks/run.py                 # all cases, 5 runs each
    python benchmarks/run.py --runs 3 --case big_matmul
    python benchmarks/run.py --json

The harness reports; it does not judge: it exits 0 unless it could not run a case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

PY = sys.executable


def gradexplain_cmd() -> list[str]:
    """The `gradexplain` script installed beside this Python, as plain runs this Python
    itself. Not the first one on PATH: a version manager's shim there (pyenv's is a bash
    script that finds the interpreter, about 0.3 s measured) would add its start-up to one
    side only."""
    beside = Path(PY).parent / "gradexplain"
    if beside.is_file():
        return [str(beside)]
    exe = shutil.which("gradexplain")
    return [exe] if exe else [PY, "-m", "gradexplain"]


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float  # user + system time of the child
    max_rss_kib: int
    returncode: int
    stdout_bytes: int


def run_once(cmd: list[str], out_path: Path, cwd: Path) -> Sample:
    """Run `cmd` with stdout to `out_path`; wall time and this child's own peak RSS."""
    with out_path.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0,):
        tail = err.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{cmd!r} exited {proc.returncode}:\n{tail}")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, cpu, rss, proc.returncode, out_path.stat().st_size)


@dataclass
class Case:
    name: str
    title: str
    a: list[str]
    b: list[str]
    time_target: float | None  # None: time reported, not judged
    rss_target: float | None = None
    extra: Callable[[Path], dict] | None = None  # checks run once, reported as-is


@dataclass
class Result:
    name: str
    title: str
    runs: int
    a_median_s: float
    b_median_s: float
    ratio_median: float
    a_cpu_median_s: float
    b_cpu_median_s: float
    cpu_ratio_median: float
    time_target: float | None
    time_pass: bool | None
    a_rss_mib: float
    b_rss_mib: float
    rss_ratio: float
    rss_target: float | None
    rss_pass: bool | None
    checks: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        checks_ok = all(v is not False for k, v in self.checks.items() if k.endswith("_ok"))
        return self.time_pass is not False and self.rss_pass is not False and checks_ok


def measure(case: Case, runs: int, work: Path) -> Result:
    out_a, out_b = work / f"{case.name}.a.out", work / f"{case.name}.b.out"
    run_once(case.a, out_a, work)  # warm-up pair: page cache, .pyc files
    run_once(case.b, out_b, work)
    a_samples, b_samples = [], []
    for _ in range(runs):
        a_samples.append(run_once(case.a, out_a, work))
        b_samples.append(run_once(case.b, out_b, work))
    ratios = [a.seconds / b.seconds for a, b in zip(a_samples, b_samples, strict=True)]
    a_rss = statistics.median(s.max_rss_kib for s in a_samples) / 1024
    b_rss = statistics.median(s.max_rss_kib for s in b_samples) / 1024
    ratio = statistics.median(ratios)
    rss_ratio = a_rss / b_rss
    checks = case.extra(out_a) if case.extra else {}
    return Result(
        name=case.name, title=case.title, runs=runs,
        a_median_s=statistics.median(s.seconds for s in a_samples),
        b_median_s=statistics.median(s.seconds for s in b_samples),
        ratio_median=ratio,
        a_cpu_median_s=statistics.median(s.cpu_seconds for s in a_samples),
        b_cpu_median_s=statistics.median(s.cpu_seconds for s in b_samples),
        cpu_ratio_median=statistics.median(
            a.cpu_seconds / b.cpu_seconds for a, b in zip(a_samples, b_samples, strict=True)),
        time_target=case.time_target,
        time_pass=None if case.time_target is None else ratio <= case.time_target,
        a_rss_mib=a_rss, b_rss_mib=b_rss, rss_ratio=rss_ratio, rss_target=case.rss_target,
        rss_pass=None if case.rss_target is None else rss_ratio <= case.rss_target,
        checks=checks)


# Cases ---------------------------------------------------------------------------------------

def _torch_not_imported(_out: Path) -> dict:
    code = "import sys, gradexplain.shell.cli; print('torch' in sys.modules)"
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True)
    imported = done.stdout.strip() == "True"
    return {"torch_imported_by_cli": imported, "torch_not_imported_ok": not imported}


ACCUMULATION_PLAIN = """\
import torch
torch.manual_seed(0)
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print(x.grad)
out.backward(retain_graph=True)
print(x.grad)
z.backward(torch.ones_like(z))
print(x.grad)
"""

BIG_SNIPPET = """\
a = torch.randn(2048, 2048, requires_grad=True)
b = torch.randn(2048, 2048, requires_grad=True)
(a @ b).relu().sum().backward()
"""

CHAIN_SNIPPET = """\
x = torch.ones(4, requires_grad=True)
y = x
for i in range(3000):
    y = y * 1.0001 + 0.0001
y.sum().backward()
print(x.grad)
"""

# A training loop: linear regression by gradient descent, x of 100x3 (issue 15).
def loop_snippet(iterations: int) -> str:
    return f"""\
x = torch.randn(100, 3)
y = torch.randn(100, 1)
w = torch.zeros(3, 1, requires_grad=True)
for i in range({iterations}):
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad.zero_()
print(w)
"""


# Bodies of the 100 generated scenarios: (tensor spec for YAML, steps). `n` varies the size.
VARIANTS = [
    ("randn: [{n}]", "y = (x * 2 + 1).sum()\ny.backward()\nprint(x.grad)"),
    ("ones: [{n}, {n}]", "y = x @ x\nloss = y.relu().mean()\nloss.backward()\nprint(x.grad)"),
    ("rand: [{n}]", "z = (x ** 2).sum()\nz.backward()\nprint(x.grad)"),
    ("randn: [{n}, 3]", "w = x.tanh() * 3\nw.sum().backward(retain_graph=True)\n"
                        "w.mean().backward()\nprint(x.grad)"),
    ("ones: [{n}]", "for i in range(3):\n    loss = (x * x).mean()\n    loss.backward()\n"
                    "print(x.grad)"),
]

TENSOR_PLAIN = {"randn": "torch.randn", "ones": "torch.ones", "rand": "torch.rand"}


def write_directory(root: Path) -> str:
    """100 small scenarios (half YAML, half .py) in root/dir; the same work as one script."""
    scen = root / "dir100"
    scen.mkdir()
    plain = ["import torch", ""]
    for i in range(100):
        spec, steps = VARIANTS[i % len(VARIANTS)]
        n = 2 + i % 7
        spec = spec.format(n=n)
        kind, shape = spec.split(": ")
        dims = shape.strip("[]")
        create = f"x = {TENSOR_PLAIN[kind]}({dims}, requires_grad=True)"
        body = f"torch.manual_seed(0)\n{create}\n{steps}\n"
        if i % 2:
            (scen / f"s{i:03d}.py").write_text(f"{create}\n{steps}\n")
        else:
            text = (f"name: s{i:03d}\ntensors:\n  x:\n    {spec}\nsteps: |\n"
                    + textwrap.indent(steps, "  ") + "\n")
            (scen / f"s{i:03d}.yaml").write_text(text)
        plain.append(f"def s{i:03d}():\n" + textwrap.indent(body, "    "))
        plain.append(f"s{i:03d}()\n")
    (root / "plain_dir100.py").write_text("\n".join(plain))
    return str(scen)


def build_cases(work: Path) -> list[Case]:
    gx = gradexplain_cmd()
    (work / "accumulation_plain.py").write_text(ACCUMULATION_PLAIN)
    (work / "big.py").write_text(BIG_SNIPPET)
    (work / "plain_big.py").write_text(f"import torch\ntorch.manual_seed(0)\n{BIG_SNIPPET}")
    (work / "chain.py").write_text(CHAIN_SNIPPET)
    (work / "plain_chain.py").write_text(f"import torch\ntorch.manual_seed(0)\n{CHAIN_SNIPPET}")
    directory = write_directory(work)
    repl_steps = ["x = torch.ones(2, requires_grad=True)",
                  *(f"y{i % 10} = x * {i}" for i in range(199))]
    (work / "repl200.txt").write_text("\n".join(repl_steps) + "\n")
    (work / "plain_repl200.py").write_text(
        "import torch\ntorch.manual_seed(0)\n" + "\n".join(repl_steps) + "\n")
    for n in (1_000, 10_000, 100_000):
        (work / f"loop{n}.py").write_text(loop_snippet(n))
        (work / f"plain_loop{n}.py").write_text(
            f"import torch\ntorch.manual_seed(0)\n{loop_snippet(n)}")

    def loop(n: int) -> list[str]:
        return [str(work / f"loop{n}.py")]

    def plain_loop(n: int) -> list[str]:
        return [PY, str(work / f"plain_loop{n}.py")]

    def folded_output(out: Path) -> dict:
        text = out.read_text(encoding="utf-8")
        size = len(text.encode("utf-8"))
        shows = all(f"call {i} " in text for i in (1, 1000))
        return {"output_bytes": size, "output_under_20k_ok": size < 20 * 1024,
                "first_and_last_call_shown_ok": shows}

    def small_output(out: Path) -> dict:
        size = out.stat().st_size
        return {"output_bytes": size, "output_under_20k_ok": size < 20 * 1024}

    return [
        Case("help", "gradexplain --help vs import typer, rich",
             [*gx, "--help"], [PY, "-c", "import typer, rich"], 2.0,
             extra=_torch_not_imported),
        Case("accumulation", "bundled accumulation (json) vs plain script",
             [*gx, "run", "accumulation", "--format", "json"],
             [PY, str(work / "accumulation_plain.py")], 1.25),
        Case("dir100", "100 scenarios in one run (json) vs one plain process",
             [*gx, "run", directory, "--format", "json"],
             [PY, str(work / "plain_dir100.py")], 1.5),
        Case("big_matmul", "2048x2048 (a @ b).relu().sum() backward (table) vs plain",
             [*gx, "run", str(work / "big.py"), "--width", "100"],
             [PY, str(work / "plain_big.py")], 1.3, rss_target=1.3, extra=small_output),
        Case("chain3000", "3,000-step for-loop chain, backward (json) vs plain",
             [*gx, "run", str(work / "chain.py"), "--format", "json"],
             [PY, str(work / "plain_chain.py")], 2.0),
        Case("why_chain3000", "--why x on the 3,000-step chain (json): the derivation folded "
             "(not judged: plain PyTorch derives nothing)",
             [*gx, "run", str(work / "chain.py"), "--format", "json", "--why", "x"],
             [PY, str(work / "plain_chain.py")], None),
        Case("loop1000_table", "1,000-iteration training loop (table): folded output",
             [*gx, "run", *loop(1_000), "--width", "100"], plain_loop(1_000), None,
             extra=folded_output),
        Case("loop10k_table", "10,000-iteration training loop (table) vs plain",
             [*gx, "run", *loop(10_000), "--width", "100"], plain_loop(10_000), 1.5,
             rss_target=1.2),
        Case("loop10k_json", "10,000-iteration training loop (json) vs plain",
             [*gx, "run", *loop(10_000), "--format", "json"], plain_loop(10_000), 1.5,
             rss_target=1.2),
        Case("repl200", "200 statements piped into `gradexplain repl` vs a plain script "
             "(per-entry cost of the session's worker process)",
             ["sh", "-c", f'exec "$@" repl < {work / "repl200.txt"}', "sh", *gx],
             [PY, str(work / "plain_repl200.py")], None),
        Case("loop100k_memory", "100,000-iteration training loop (json): peak memory",
             [*gx, "run", *loop(100_000), "--format", "json", "--max-seconds", "3600"],
             plain_loop(100_000), None, rss_target=1.2),
    ]


def compile_bytecode() -> str:
    """Compile gradexplain's modules to bytecode, as installing a package does: with
    PYTHONDONTWRITEBYTECODE set (or an editable install never imported) every run would
    otherwise compile them from source again, about 0.3 s that no installed copy pays.
    Torch's own bytecode is already on disk, so this keeps the pair fair."""
    import compileall

    found = subprocess.run([PY, "-c", "import gradexplain, os; "
                            "print(os.path.dirname(gradexplain.__file__))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    compileall.compile_dir(found, quiet=1)
    return found


def machine() -> dict:
    try:
        torch_version = subprocess.run(
            [PY, "-c", "import torch; print(torch.__version__)"],
            capture_output=True, text=True, check=True).stdout.strip()
    except subprocess.CalledProcessError:
        torch_version = "unknown"
    return {"nproc": os.cpu_count(), "python": platform.python_version(),
            "torch": torch_version, "platform": platform.platform()}


def print_result(r: Result) -> None:
    verdict = "PASS" if r.passed else "FAIL"
    print(f"{verdict}  {r.name}: {r.title}")
    target = "(not judged)" if r.time_target is None else \
        f"target <= {r.time_target}x  {'PASS' if r.time_pass else 'FAIL'}"
    print(f"      time  A {r.a_median_s:.3f}s  B {r.b_median_s:.3f}s  "
          f"ratio {r.ratio_median:.2f}x  {target}")
    print(f"      cpu   A {r.a_cpu_median_s:.3f}s  B {r.b_cpu_median_s:.3f}s  "
          f"ratio {r.cpu_ratio_median:.2f}x  (user+sys, for reference on a noisy machine)")
    rss = f"      rss   A {r.a_rss_mib:.0f} MiB  B {r.b_rss_mib:.0f} MiB  ratio {r.rss_ratio:.2f}x"
    if r.rss_target is not None:
        rss += f"  target <= {r.rss_target}x  {'PASS' if r.rss_pass else 'FAIL'}"
    print(rss)
    for key, value in r.checks.items():
        print(f"      {key}: {value}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed pairs per case (default 5)")
    parser.add_argument("--case", action="append", help="run only this case (repeatable)")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    info = machine()
    info["bytecode_compiled"] = compile_bytecode()
    results = []
    with tempfile.TemporaryDirectory(prefix="gradexplain-bench-") as tmp:
        work = Path(tmp)
        cases = build_cases(work)
        names = [c.name for c in cases]
        wanted = args.case or names
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"unknown case(s) {', '.join(unknown)}; cases: {', '.join(names)}")
        if not args.json:
            print(f"machine: nproc {info['nproc']}, Python {info['python']}, "
                  f"torch {info['torch']}; {args.runs} runs after 1 warm-up, A = gradexplain, "
                  "B = plain")
        for case in cases:
            if case.name not in wanted:
                continue
            try:
                result = measure(case, args.runs, work)
            except (RuntimeError, OSError) as err:
                print(f"harness error in {case.name}: {err}", file=sys.stderr)
                return 2
            results.append(result)
            if not args.json:
                print_result(result)
    if args.json:
        print(json.dumps({"machine": info, "runs": args.runs,
                          "results": [{**asdict(r), "passed": r.passed} for r in results]},
                         indent=2))
    else:
        failed = [r.name for r in results if not r.passed]
        print(f"summary: {len(results) - len(failed)} PASS, {len(failed)} FAIL"
              + (f" ({', '.join(failed)})" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
