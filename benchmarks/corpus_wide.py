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
    python benchmarks/corpus_wide.py --raw runs.json   # runs, saves; run again: reclassifies

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
    plain_seconds: float = 0.0  # the plain run's own CPU seconds, after torch's import
    features: list[str] = field(default_factory=list)  # see FEATURES
    static: list[str] = field(default_factory=list)  # every static refusal (static_refusals)
    # For a run cut short (refused, error): where its prints so far part from PyTorch's.
    partial: str = ""


# --- running ------------------------------------------------------------------------------

# The oracle, timed from after torch's import (as in a session that has it loaded already):
# the CPU seconds the file itself takes (not wall time, which a loaded machine stretches),
# the last line of stderr.
TIMED_ORACLE = """\
import runpy, sys, time
import torch
sys.argv = sys.argv[1:]
start = time.process_time()
runpy.run_path(sys.argv[0], run_name="__main__")
print(f"{time.process_time() - start:.3f}", file=sys.stderr)
"""


def run_plain(path: Path, plain_path: str | None, work: Path) -> tuple[dict[str, Any], float]:
    """One file as plain Python, in its own process: the oracle's record of it."""
    out = work / f"{path.stem}.plain.json"
    env = dict(os.environ, MPLBACKEND="Agg")
    if plain_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [plain_path, env.get("PYTHONPATH")]))
    proc = subprocess.run([PY, "-c", TIMED_ORACLE, str(ORACLE), str(out), str(path)], cwd=work,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0 or not out.exists():
        return {"crashed": proc.stderr[-2000:]}, 0.0
    seconds = float(proc.stderr.strip().splitlines()[-1])
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
                          cwd=work, env=env, capture_output=True, text=True, timeout=3600,
                          check=False)
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
    if "crashed" in plain or (plain["error"] is not None) != _ends_on_error(path):
        outcome.kind, outcome.cause = "plain", "plain Python did not run as the file says"
        outcome.detail = plain.get("crashed") or json.dumps(plain["error"])
        return outcome
    if "crashed" in record:
        outcome.kind, outcome.cause, outcome.detail = "crash", "no record", record["crashed"]
        return outcome
    error = record.get("error")
    if error is not None:
        outcome.line = error.get("line")
        outcome.detail = error.get("message", "")
    want = plain.get("error")
    if error is not None and (error["kind"] in REFUSING_KINDS or want is None):
        refused = error["kind"] in REFUSING_KINDS
        outcome.kind = "refused" if refused else "error"
        outcome.cause = refusal_cause(error.get("message", "")) if refused else error["kind"]
        outcome.partial = _prints_so_far(plain, record) or ""
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


def _printed(plain: dict[str, Any], record: dict[str, Any]) -> tuple[list[str], list[str]]:
    """PyTorch's printed lines and gradexplain's, object addresses left out of both."""
    want_lines = ADDRESS.sub("", plain["stdout"]).splitlines()
    got_lines = [ADDRESS.sub("", p["text"]) for p in record["prints"]]
    return want_lines, [line for text in got_lines for line in text.split("\n")]


def _prints_so_far(plain: dict[str, Any], record: dict[str, Any]) -> str | None:
    """Where the prints of a run that stopped early part from PyTorch's, or None."""
    want_lines, got_lines = _printed(plain, record)
    for index, (want, got) in enumerate(zip(want_lines, got_lines, strict=False)):
        if want != got:
            return f"print line {index + 1}: {got!r} where PyTorch printed {want!r}"
    if len(got_lines) > len(want_lines):
        return f"{len(got_lines)} lines printed where PyTorch printed {len(want_lines)}"
    return None


def differences(plain: dict[str, Any], record: dict[str, Any]) -> tuple[str, str] | None:
    """The first way the two results differ: prints, then the set of tensors, then each
    tensor's shape, value and grad (exact, as the oracle tests compare)."""
    want_lines, got_lines = _printed(plain, record)
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


def refusal_cause(message: str) -> str:
    match = QUOTED.match(message)
    if match:
        what = match["what"].strip()
        return f"{what} '{match['name']}'" if what else f"'{match['name']}'"
    return re.split(r" (?:is|are) not allowed|:", message, maxsplit=1)[0][:80]


# The headings, for grouping causes: the first pattern that matches a cause names it.
TOPICS = (
    ("numpy", r"'numpy"),
    ("matplotlib", r"matplotlib|pylab|attribute 'set_(x|y|title|major)"),
    ("torch.utils.data", r"torch\.utils|attribute 'utils'"),
    ("torch.autograd.function import", r"torch\.autograd\.function"),
    ("__name__ / __main__", r"__name__"),
    ("id() / dir()", r"calling '(id|dir)'"),
    ("set_printoptions", r"set_printoptions"),
    ("module hooks", r"register_(full_)?(forward|backward)(_pre)?_hook"),
    ("stdlib import", r"importing '(random|collections|time|os|sys|copy|datetime|argparse|"
                      r"warnings|pathlib|itertools|functools)'"),
    ("yield", r"yield"),
    ("builtins iter/next/getattr/...", r"calling '(next|iter|getattr|setattr|hasattr)'"),
    ("own function named set_*", r"calling 'set_"),
    ("special methods / dunders", r"'__|special methods"),
    ("Module internals (_modules ...)", r"attribute '_"),
    ("plain (non-Module) classes", r"a class must extend"),
    ("decorators", r"decorator"),
    ("torch name not allowlisted", r"^'torch\."),
    ("attribute not allowlisted", r"^attribute '"),
)


def topic_of(cause: str) -> str:
    return next((name for name, pattern in TOPICS if re.search(pattern, cause)), "other")


# --- every static refusal of a file -------------------------------------------------------


def static_refusals(path: Path) -> list[str]:
    """Every construct gradexplain's static check refuses in a file, not only the first: the
    check runs, the refused statement is neutralized (an `if` test becomes True, a `for`
    loops over [], a `with` runs its body bare, a refused decorator or base class is
    dropped, anything else becomes `pass`), and the check runs again. Refusals made while
    running (an attribute of an object, a value) are not seen; neutralizing a `def` or a
    class hides what its body would be refused for."""
    from gradexplain.errors import GradexplainError
    from gradexplain.language.checker import parse_program
    from gradexplain.limits import Limits
    from gradexplain.scenario.model import Code

    text = path.read_text(encoding="utf-8")
    causes: list[str] = []
    seen: set[tuple[int, str]] = set()
    for _ in range(100):
        try:
            parse_program(Code(text, str(path), 1), Limits(), file_text=text, line_steps=True)
            break
        except GradexplainError as err:
            if err.kind != "not_allowed" or err.location is None or err.location.line is None:
                causes.append(refusal_cause(err.message))
                break
            key = (err.location.line, err.message)
            causes.append(refusal_cause(err.message))
            tree = ast.parse(text)
            if not _neutralize(tree, err.location.line, whole=key in seen):
                break
            seen.add(key)
            text = ast.unparse(ast.fix_missing_locations(tree))
    return sorted(set(causes), key=causes.index)


def _neutralize(tree: ast.Module, line: int, whole: bool) -> bool:
    """Make the innermost statement at `line` harmless; False when there is none."""
    found: tuple[int, list[ast.stmt], int] | None = None
    for parent in ast.walk(tree):
        for _, value in ast.iter_fields(parent):
            if not isinstance(value, list):
                continue
            for index, child in enumerate(value):
                if isinstance(child, ast.stmt) and _spans(child, line):
                    span = (child.end_lineno or child.lineno) - _first_line(child)
                    if found is None or span <= found[0]:
                        found = (span, value, index)
    if found is None:
        return False
    _, body, index = found
    stmt = body[index]
    header = line < stmt.body[0].lineno if isinstance(getattr(stmt, "body", None), list) \
        and stmt.body else False
    decorators = getattr(stmt, "decorator_list", [])
    if not whole and any(_spans(d, line) for d in decorators):
        stmt.decorator_list = [d for d in decorators if not _spans(d, line)]
    elif not whole and isinstance(stmt, ast.ClassDef) and header and stmt.bases:
        stmt.bases = [ast.parse("nn.Module", mode="eval").body]
    elif not whole and isinstance(stmt, ast.If | ast.While) and header:
        stmt.test = ast.Constant(True)
    elif not whole and isinstance(stmt, ast.For) and header:
        stmt.iter = ast.List(elts=[], ctx=ast.Load())
    elif not whole and isinstance(stmt, ast.With) and header:
        body[index:index + 1] = stmt.body
    else:
        body[index] = ast.Pass()
    return True


def _first_line(node: ast.AST) -> int:
    lines = [node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]
    return min(lines)


def _spans(node: ast.AST, line: int) -> bool:
    return _first_line(node) <= line <= (getattr(node, "end_lineno", None) or node.lineno)


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
    slowest = max(outcomes, key=lambda o: o.plain_seconds)
    lines += ["", _rates(outcomes),
              f"slowest plain run: {slowest.plain_seconds:.2f} CPU s after torch's import "
              f"({Path(slowest.path).name})", ""]
    lines += _ranked("Refusal causes (the first refusal of each file)",
                     [o for o in outcomes if o.kind == "refused"])
    cut_short = [o for o in outcomes if o.partial]
    lines += ["", f"Runs cut short whose prints so far differ from PyTorch's ({len(cut_short)}):"]
    lines += [f"  {Path(o.path).name}: {o.partial[:300]}" for o in cut_short]
    for kind in ("error", "disagree", "crash", "plain"):
        chosen = [o for o in outcomes if o.kind == kind]
        if chosen:
            lines += ["", f"{kind} ({len(chosen)}):"]
            lines += [f"  {Path(o.path).name}: {o.cause}: {o.detail[:300]}" for o in chosen]
    lines += ["", *_static_table(outcomes), "", *_topic_table(outcomes)]
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


def _static_table(outcomes: list[Outcome]) -> list[str]:
    """Every construct the static check refuses, by how many files it blocks (a file
    blocked by three constructs counts for each)."""
    blocked = [o for o in outcomes if o.static]
    lines = [f"Every static refusal (files that hit it anywhere; {len(blocked)} files have one):"]
    causes = sorted({c for o in outcomes for c in o.static},
                    key=lambda c: (-sum(c in o.static for o in outcomes), c))
    for cause in causes:
        users = [o for o in outcomes if cause in o.static]
        zh = sum(o.lang == "zh" for o in users)
        only = sum(o.static == [cause] for o in users)
        lines.append(f"  {len(users):>3} (zh {zh:>2}, en {len(users) - zh:>2}, only this "
                     f"{only:>2})  {cause:<46}  e.g. {Path(users[0].path).name}")
    return lines


def _topic_table(outcomes: list[Outcome]) -> list[str]:
    """The causes grouped under the issue's headings: files whose first refusal is of the
    topic, files with any static refusal of it, and files it alone blocks (statically)."""
    lines = ["By topic: first refusal / any static refusal / the only static topic left"]
    topics = sorted({topic_of(c) for o in outcomes for c in [*o.static, o.cause]
                     if o.kind == "refused"},
                    key=lambda t: -sum(t in {topic_of(c) for c in o.static} for o in outcomes))
    for topic in topics:
        first = sum(o.kind == "refused" and topic_of(o.cause) == topic for o in outcomes)
        anywhere = sum(topic in {topic_of(c) for c in o.static} for o in outcomes)
        alone = sum({topic_of(c) for c in o.static} == {topic} for o in outcomes)
        lines.append(f"  {topic:<34} {first:>4} {anywhere:>5} {alone:>5}")
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
    parser.add_argument("--raw", type=Path, default=None,
                        help="save both runs' raw results here; when the file exists, "
                             "classify those again instead of running")
    args = parser.parse_args(argv)

    paths = sorted(p.resolve() for p in args.corpus.glob("*.py") if args.only in p.name)
    if not paths:
        print(f"no files in {args.corpus} match {args.only!r}", file=sys.stderr)
        return 2
    if args.raw and args.raw.exists():  # classify again what an earlier run saved
        raw = json.loads(args.raw.read_text(encoding="utf-8"))
        plain = {p: tuple(raw["plain"][str(p)]) for p in paths}
        records = raw["records"]
    else:
        with tempfile.TemporaryDirectory(prefix="corpus-wide-") as tmp:
            work = Path(tmp)  # both sides run here: what a file writes lands nowhere else
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                plain = dict(zip(paths, pool.map(
                    lambda p: run_plain(p, args.plain_path, work), paths), strict=True))
            records = run_gradexplain(paths, args.jobs, work)
        if args.raw:
            args.raw.write_text(json.dumps({
                "plain": {str(p): plain[p] for p in paths},
                "records": {str(p): records[str(p)] for p in paths}}), encoding="utf-8")
    outcomes = []
    for path in paths:
        result, seconds = plain[path]
        outcome = classify(path, result, records[str(path)])
        outcome.plain_seconds = round(seconds, 2)
        outcome.features = features_of(path)
        outcome.static = static_refusals(path)
        outcomes.append(outcome)
    print(report(outcomes))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1,
                                        ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
