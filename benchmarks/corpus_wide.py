"""Measure where gradexplain refuses real tutorial code: tests/corpus_wide/ against PyTorch.

Each file of the corpus runs twice: as plain Python with real torch (tests/plain_torch.py,
the oracle the tests use: prints, final tensors and the error that stopped it), one process
per file; and under `gradexplain run FILES --format json --calls all --full`, one batch.
Each file is then one of:

    agree     gradexplain ran it as PyTorch did: same prints (addresses masked), same
              final tensors (value and grad), same error if PyTorch raised one
    refused   gradexplain would not run it (not_allowed, limit_exceeded, ...): the cause
              is the refused construct, read from the message
    error     gradexplain stopped with an error PyTorch did not raise
    disagree  both ran, the results differ (each one is a bug)
    crash     gradexplain gave no record for the file (a traceback, a dead process)
    plain     plain Python itself failed: a corpus bug, not gradexplain's

    python benchmarks/corpus_wide.py --plain-path /tmp/mpl     # matplotlib lives there
    python benchmarks/corpus_wide.py --only zh0 --json out.json

Plain runs get MPLBACKEND=Agg and, with --plain-path, that folder on PYTHONPATH (for a
matplotlib installed outside the project's environment). A file's language is its name's
prefix: zh (Chinese sources) or en (English sources and PyTorch's issue tracker).
The harness reports; it does not judge: it exits 0 unless it could not run.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus_wide"
ORACLE = ROOT / "tests" / "plain_torch.py"
PY = sys.executable
# gradexplain's kinds for input it will not run (errors.BAD_INPUT_KINDS, less device ones).
REFUSING_KINDS = {"not_allowed", "limit_exceeded", "invalid_scenario"}
# An object's repr carries its address in plain Python; gradexplain prints none.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass
class Outcome:
    path: str
    lang: str
    kind: str  # agree, refused, error, disagree, crash, plain
    cause: str = ""  # the refused construct, the error kind, or what differs
    detail: str = ""  # the message or the first difference
    line: int | None = None  # where gradexplain stopped, when it did
    plain_seconds: float = 0.0  # wall time of the plain run, torch import included
    features: list[str] = field(default_factory=list)  # see FEATURES


# --- running ------------------------------------------------------------------------------


def run_plain(path: Path, plain_path: str | None, work: Path) -> tuple[dict[str, Any], float]:
    """One file as plain Python, in its own process: the oracle's record of it."""
    out = work / f"{path.stem}.plain.json"
    env = dict(os.environ, MPLBACKEND="Agg")
    if plain_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [plain_path, env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.run([PY, str(ORACLE), str(out), str(path)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or not out.exists():
        return {"crashed": proc.stderr[-2000:]}, seconds
    return json.loads(out.read_text(encoding="utf-8"))[str(path)], seconds


def gradexplain_cmd() -> list[str]:
    beside = Path(PY).parent / "gradexplain"
    return [str(beside)] if beside.is_file() else [PY, "-m", "gradexplain"]


def run_gradexplain(paths: list[Path], jobs: int, work: Path) -> dict[str, dict[str, Any]]:
    """Every file under gradexplain in one batch; a file the batch gave no record for runs
    again alone, so a crash is pinned on the file that caused it."""
    records = _batch(paths, jobs, work)
    for path in paths:
        if str(path) not in records:
            records.update(_batch([path], 1, work))
    return records


def _batch(paths: list[Path], jobs: int, work: Path) -> dict[str, dict[str, Any]]:
    env = dict(os.environ, GRADEXPLAIN_LANG="en", NO_COLOR="1")
    proc = subprocess.run([*gradexplain_cmd(), "run", *map(str, paths), "--format", "json",
                           "--calls", "all", "--full", "--jobs", str(jobs)],
                          cwd=work, env=env, capture_output=True, text=True, timeout=3600)
    records: dict[str, dict[str, Any]] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            records[record["scenario"]["path"]] = record
    if len(paths) == 1 and str(paths[0]) not in records:
        records[str(paths[0])] = {"crashed": f"exit {proc.returncode}: {proc.stderr[-2000:]}"}
    return records


# --- comparing ----------------------------------------------------------------------------


def classify(path: Path, plain: dict[str, Any], record: dict[str, Any]) -> Outcome:
    """What gradexplain made of one file, against what plain PyTorch made of it."""
    outcome = Outcome(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
                      language_of(path), "agree")
    if "crashed" in plain or plain.get("error") is not None and not _ends_on_error(path):
        outcome.kind, outcome.cause = "plain", "plain Python failed"
        outcome.detail = plain.get("crashed") or json.dumps(plain["error"])
        return outcome
    if "crashed" in record:
        outcome.kind, outcome.cause, outcome.detail = "crash", "no record", record["crashed"]
        return outcome
    error = record.get("error")
    if error is not None:
        outcome.line = error.get("line")
        outcome.detail = error.get("message", "")
    if error is not None and error["kind"] in REFUSING_KINDS:
        outcome.kind, outcome.cause = "refused", refusal_cause(error)
        return outcome
    want = plain.get("error")
    if error is not None and want is None:
        outcome.kind, outcome.cause = "error", error["kind"]
        return outcome
    if error is None and want is not None:
        outcome.kind, outcome.cause = "disagree", "PyTorch raised, gradexplain did not"
        outcome.detail = want["message"].splitlines()[0]
        return outcome
    if error is not None and want is not None and (
            error["message"].splitlines()[:1] != want["message"].splitlines()[:1]):
        outcome.kind, outcome.cause = "disagree", "a different error"
        outcome.detail = f"{error['message'][:200]!r} vs {want['message'][:200]!r}"
        return outcome
    difference = differences(plain, record)
    if difference:
        outcome.kind, (outcome.cause, outcome.detail) = "disagree", difference
    return outcome


# A file that ends on PyTorch's error on purpose (a lesson about that error) says so in its
# header; any other error of a plain run is a bug of the corpus.
ENDS_ON_ERROR = "# Ends on PyTorch's error"


def _ends_on_error(path: Path) -> bool:
    return ENDS_ON_ERROR in path.read_text(encoding="utf-8")


def differences(plain: dict[str, Any], record: dict[str, Any]) -> tuple[str, str] | None:
    """The first way the two results differ: prints, then the set of tensors, then each
    tensor's shape, value and grad (exact, as the oracle tests compare)."""
    want_lines = ADDRESS.sub("", plain["stdout"]).splitlines()
    got_lines = [ADDRESS.sub("", p["text"]) for p in record["prints"]]
    got_lines = [line for text in got_lines for line in text.split("\n")]
    if want_lines != got_lines:
        for index, (want, got) in enumerate(zip(want_lines, got_lines, strict=False)):
            if want != got:
                return "prints", f"print line {index + 1}: {got!r} where PyTorch printed {want!r}"
        return "prints", f"{len(got_lines)} lines printed where PyTorch printed {len(want_lines)}"
    mine = {row["name"]: row for row in record["tensors"]}
    theirs = plain["tensors"]
    if set(mine) != set(theirs):
        return "tensors", (f"only gradexplain: {sorted(set(mine) - set(theirs))}; "
                           f"only PyTorch: {sorted(set(theirs) - set(mine))}")
    for name, want in theirs.items():
        row = mine[name]
        for key in ("shape", "is_leaf", "requires_grad"):
            if row[key] != want[key]:
                return "tensors", f"{name}.{key}: {row[key]} where PyTorch has {want[key]}"
        for key in ("value", "grad"):
            if not _same(_numbers(row[key]), want[key]):
                return "tensors", f"{name} {key} differs (max abs diff {_gap(row[key], want[key])})"
    return None


def _numbers(value: Any) -> Any:
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, str) and value in {"inf", "-inf", "nan"}:
        return float(value)
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _flat(value: Any) -> list[Any]:
    return [x for v in value for x in _flat(v)] if isinstance(value, list) else [value]


def _gap(a: Any, b: Any) -> str:
    try:
        pairs = zip(_flat(_numbers(a)), _flat(b), strict=True)
        return f"{max(abs(x - y) for x, y in pairs):.3g}"
    except (TypeError, ValueError):
        return "n/a: None or shapes differ"


# --- causes and features ------------------------------------------------------------------

# The quoted construct of a refusal message: "importing 'numpy' is not allowed: ..." gives
# "importing 'numpy'"; "attribute 'x' of a Module is not allowed" gives "attribute 'x'".
QUOTED = re.compile(r"^(?P<what>[^']*)'(?P<name>[^']+)'")


def refusal_cause(error: dict[str, Any]) -> str:
    message = error.get("message", "")
    match = QUOTED.match(message)
    if match:
        what = match["what"].strip()
        return f"{what} '{match['name']}'" if what else f"'{match['name']}'"
    return message.split(":")[0][:80]


# What the issue asks for, found in a file's syntax tree: which files need each construct,
# whatever stopped them first. (name, test on one node)
def _imports(node: ast.AST, *roots: str) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] in roots or a.name in roots for a in node.names)
    if isinstance(node, ast.ImportFrom) and node.module:
        return node.module.split(".")[0] in roots or node.module in roots
    return False


def _attribute(node: ast.AST, *names: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in names


def _calls(node: ast.AST, *names: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in names)


STDLIB = ("os", "sys", "time", "random", "collections", "copy", "functools", "itertools",
          "warnings", "datetime", "typing", "__future__")
MODULE_HOOKS = ("register_forward_hook", "register_forward_pre_hook",
                "register_full_backward_hook", "register_backward_hook",
                "register_full_backward_pre_hook")
FEATURES = {
    "numpy": lambda n: _imports(n, "numpy"),
    "matplotlib": lambda n: _imports(n, "matplotlib", "pylab"),
    "torch.utils.data": lambda n: _imports(n, "torch.utils.data") or (
        _attribute(n, "data") and isinstance(n, ast.Attribute)
        and _attribute(n.value, "utils")),
    "__main__ guard": lambda n: isinstance(n, ast.Compare) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in n.comparators),
    "torch.autograd.function import": lambda n: isinstance(n, ast.ImportFrom)
    and n.module == "torch.autograd.function",
    "module hooks": lambda n: _attribute(n, *MODULE_HOOKS),
    "id()": lambda n: _calls(n, "id"),
    "dir()": lambda n: _calls(n, "dir"),
    "set_printoptions": lambda n: _attribute(n, "set_printoptions"),
    "yield": lambda n: isinstance(n, ast.Yield | ast.YieldFrom),
    "_modules/_parameters/_buffers": lambda n: _attribute(
        n, "_modules", "_parameters", "_buffers"),
    "stdlib import": lambda n: _imports(n, *STDLIB),
    "copy.deepcopy": lambda n: _attribute(n, "deepcopy"),
    "special method def": lambda n: isinstance(n, ast.FunctionDef)
    and n.name.startswith("__") and n.name != "__init__",
}


def features_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {name for node in ast.walk(tree) for name, test in FEATURES.items() if test(node)}
    if _subclasses_own_class(tree):
        found.add("subclass of own class")
    return sorted(found)


def _subclasses_own_class(tree: ast.Module) -> bool:
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    own = {c.name for c in classes}
    return any(isinstance(b, ast.Name) and b.id in own for c in classes for b in c.bases)


def language_of(path: Path) -> str:
    return path.name[:2] if path.name[:2] in {"zh", "en"} else "?"


# --- reporting ----------------------------------------------------------------------------

KINDS = ("agree", "refused", "error", "disagree", "crash", "plain")


def report(outcomes: list[Outcome]) -> str:
    lines = [f"{'file':<52} {'lang':<4} {'outcome':<8} {'line':>4}  cause"]
    for o in outcomes:
        line = "" if o.line is None else str(o.line)
        lines.append(f"{Path(o.path).name:<52} {o.lang:<4} {o.kind:<8} {line:>4}  {o.cause}")
    lines += ["", _rates(outcomes), ""]
    lines += _ranked("Refusal causes (the first refusal of each file)",
                     [o for o in outcomes if o.kind == "refused"])
    for kind in ("error", "disagree", "crash", "plain"):
        chosen = [o for o in outcomes if o.kind == kind]
        if chosen:
            lines += ["", f"{kind} ({len(chosen)}):"]
            lines += [f"  {Path(o.path).name}: {o.cause}: {o.detail[:300]}" for o in chosen]
    lines += ["", *_feature_table(outcomes)]
    return "\n".join(lines)


def _rates(outcomes: list[Outcome]) -> str:
    rows = []
    for lang in ("all", "zh", "en"):
        chosen = [o for o in outcomes if lang in {"all", o.lang}]
        if not chosen:
            continue
        counts = Counter(o.kind for o in chosen)
        parts = ", ".join(f"{k} {counts[k]}" for k in KINDS if counts[k])
        agree = 100 * counts["agree"] / len(chosen)
        rows.append(f"{lang:>3}: {len(chosen)} files, agree {counts['agree']} "
                    f"({agree:.0f}%): {parts}")
    return "\n".join(rows)


def _ranked(title: str, refused: list[Outcome]) -> list[str]:
    by_cause: dict[str, list[Outcome]] = defaultdict(list)
    for o in refused:
        by_cause[o.cause].append(o)
    ranked = sorted(by_cause.items(), key=lambda item: (-len(item[1]), item[0]))
    lines = [f"{title}: {len(refused)} files"]
    for cause, chosen in ranked:
        zh = sum(o.lang == "zh" for o in chosen)
        lines.append(f"  {len(chosen):>3} (zh {zh:>2}, en {len(chosen) - zh:>2})  {cause:<48}"
                     f"  e.g. {Path(chosen[0].path).name}")
    return lines


def _feature_table(outcomes: list[Outcome]) -> list[str]:
    """Per construct the issue names: how many files use it (whatever stopped them first),
    and how many of those agree now."""
    lines = ["Constructs used (syntax tree), files using each: all / zh / en / agree now"]
    names = sorted({f for o in outcomes for f in o.features},
                   key=lambda f: -sum(f in o.features for o in outcomes))
    for name in names:
        users = [o for o in outcomes if name in o.features]
        zh = sum(o.lang == "zh" for o in users)
        agree = sum(o.kind == "agree" for o in users)
        lines.append(f"  {name:<32} {len(users):>4} {zh:>4} {len(users) - zh:>4} {agree:>6}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--only", default="", help="only files whose name contains this")
    parser.add_argument("--plain-path", default=None,
                        help="a folder put on PYTHONPATH for plain runs (matplotlib)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write every outcome")
    args = parser.parse_args(argv)

    paths = sorted(p.resolve() for p in args.corpus.glob("*.py") if args.only in p.name)
    if not paths:
        print(f"no files in {args.corpus} match {args.only!r}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="corpus-wide-") as tmp:
        work = Path(tmp)  # both sides run here: whatever a file writes lands nowhere else
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            plain = dict(zip(paths, pool.map(lambda p: run_plain(p, args.plain_path, work),
                                             paths), strict=True))
        records = run_gradexplain(paths, args.jobs, work)
    outcomes = []
    for path in paths:
        result, seconds = plain[path]
        outcome = classify(path, result, records[str(path)])
        outcome.plain_seconds = round(seconds, 2)
        outcome.features = features_of(path)
        outcomes.append(outcome)
    print(report(outcomes))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1,
                                        ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
