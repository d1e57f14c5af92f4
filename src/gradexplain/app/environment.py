"""The standard streams a use case writes to, in one object that tests replace (HTTPie's
`Environment`): the use cases in gradexplain.app never touch sys.stdout directly."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO


def _stdout() -> TextIO:
    return sys.stdout  # looked up at call time, so pytest's capture is honoured


def _stderr() -> TextIO:
    return sys.stderr


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=_stdout)
    stderr: TextIO = field(default_factory=_stderr)
