"""Instructions per recorded backward call, counted by callgrind (load-independent).

    python3 benchmarks/recorder_calls.py            # light, full and plain, 1000/300/1000 calls
    python3 benchmarks/recorder_calls.py --mode light --calls 2000

Each mode runs the 100x3 regression loop of benchmarks/run.py in one process under
`valgrind --tool=callgrind`, with collection switched on (by callgrind's client requests,
from a small C helper compiled here) only around the measured calls: 210 warm-up calls first
(past the 200th a call is light once its group has made 5), then the measured ones, through
`Recorder.backward` (light; or full, every call kept as `--calls all` keeps it) or through
plain `loss.backward()`. What exists after the warm-up is frozen out of the collector's
sight, as the CLI's worker does (app/supervisor.py), so a full collection in the window walks
only what the loop made. Recorder minus plain is the recorder's own cost per call (it also
holds the BackwardRequest the interpreter would build). Needs valgrind, its headers
(callgrind.h) and a C compiler; the harness's Python is the one running this script.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HELPER = """\
#include <valgrind/callgrind.h>
void start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_TOGGLE_COLLECT; }
void stop(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS; }
"""

LOOP = """\
import ctypes, gc, sys
import torch
from gradexplain.engine.recorder import Recorder, RecorderOptions
from gradexplain.errors import SourceLocation
from gradexplain.language.protocol import BackwardRequest, StatementContext

helper = ctypes.CDLL(sys.argv[3])
mode, n = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
x = torch.randn(100, 3)
y = torch.randn(100, 1)
w = torch.zeros(3, 1, requires_grad=True)
recorder = Recorder(RecorderOptions(calls_all=mode == "full"))
for name, value in (("x", x), ("y", y), ("w", w)):
    recorder.assigned(name, value)
context = StatementContext(4, 6, "loss.backward()", SourceLocation("loop.py", 6, 5))

def step():
    loss = ((x @ w - y) ** 2).mean()
    if mode == "plain":
        loss.backward()
    else:
        recorder.backward(BackwardRequest("backward", [(loss, "loss")], None, None, False,
                                          context))
    with torch.no_grad():
        w.sub_(0.01 * w.grad)
    w.grad.zero_()

for _ in range(210):
    step()
gc.collect()
gc.freeze()
helper.start()
for _ in range(n):
    step()
helper.stop()
"""


def measure(mode: str, calls: int, work: Path, helper: Path) -> int:
    """Instructions per call of `mode`, over `calls` calls."""
    script = work / "loop.py"
    script.write_text(LOOP, encoding="utf-8")
    out = work / f"{mode}.out"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONHASHSEED="0")
    subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                    f"--callgrind-out-file={out}", sys.executable, str(script), mode,
                    str(calls), str(helper)], env=env, check=True, capture_output=True)
    totals = [int(found) for dump in work.glob(f"{mode}.out*")
              for found in re.findall(r"^(?:summary|totals): (\d+)",
                                      dump.read_text(encoding="utf-8"), re.MULTILINE)]
    return max(totals) // calls


def main() -> int:
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__ or "").strip(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", action="append", choices=["light", "full", "plain"])
    parser.add_argument("--calls", type=int, help="calls measured (default 1000, full 300)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "helper.c").write_text(HELPER, encoding="utf-8")
        helper = work / "helper.so"
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(helper),
                        str(work / "helper.c")], check=True)
        found = {}
        for mode in args.mode or ["plain", "light", "full"]:
            calls = args.calls or (300 if mode == "full" else 1000)
            found[mode] = measure(mode, calls, work, helper)
            print(f"{mode}: {found[mode]:,} instructions per iteration ({calls} calls)",
                  flush=True)
        if "plain" in found:
            for mode in ("light", "full"):
                if mode in found:
                    print(f"{mode} call, recorder only: {found[mode] - found['plain']:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
