"""The file rules: what gradexplain reads and writes, and how.

Reading: only regular files (never a FIFO, which would block, a device, or a /proc or /sys
entry, which could hold secrets), opened without blocking, measured before anything is read.
Directories: an entry that is a symbolic link leading out of the directory is refused.
The REPL's :load (and `repl --load`): never a symbolic link, and when statements are piped in,
only a file in or under the working directory (unless --allow-load): piped text must not be
able to read any file the user can.
Writing (the REPL's :save): only a new regular file in or under the working directory, opened
with O_CREAT|O_EXCL|O_NOFOLLOW so that no existing file and no symbolic link is written
through; overwriting needs the explicit `:save!`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gradexplain.errors import GradexplainError, SourceLocation, invalid
from gradexplain.limits import Limits, check

SYSTEM_TREES = ("/proc", "/sys", "/dev")  # never scenario files, whatever their names


def read_regular_file(path: Path, limits: Limits, where: SourceLocation) -> bytes:
    """The bytes of the regular file at `path`, refusing anything else, and a file over
    --max-file-bytes before reading it."""
    real = os.path.realpath(path)
    if any(real == tree or real.startswith(tree + os.sep) for tree in SYSTEM_TREES):
        raise invalid(f"{path} is a system file ({real}), not a scenario", where,
                      hint="scenarios are ordinary .yaml, .yml or .py files")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | _flag("O_NOCTTY"))
    except OSError as err:
        raise invalid(f"cannot read {path}: {err.strerror or err}", where,
                      hint="check the file exists and is readable") from None
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise invalid(f"{path} is not a regular file ({_kind(info.st_mode)})", where,
                          hint="scenarios are ordinary files; a pipe or device cannot be one")
        check("max_file_bytes", info.st_size, limits, where)
        data = stream.read(limits.max_file_bytes + 1)  # the size may change while reading
    check("max_file_bytes", len(data), limits, where)
    return data


def inside(directory: Path, entry: Path) -> bool:
    """Whether `entry`, with every symbolic link followed, is within `directory`."""
    top = os.path.realpath(directory)
    real = os.path.realpath(entry)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def refuse_escaping_link(directory: Path, entry: Path) -> None:
    """Directory mode never follows a link out of the directory (`x.py -> /etc/...`)."""
    if entry.is_symlink() and not inside(directory, entry):
        raise invalid(f"{entry} is a symbolic link that leads out of {directory}",
                      SourceLocation(str(entry)),
                      hint="name the file it points to directly if you mean to run it")


def refuse_unsafe_load(path: Path, *, anywhere: bool) -> None:
    """The REPL's :load rules before a byte is read: (unless `anywhere`: a person at the
    terminal, --allow-load, or the --load file itself) the file lies in or under the working
    directory, every link on the way followed, and it is no symbolic link. In that order, so
    that piped text learns nothing of files elsewhere, not even which are links."""
    where = SourceLocation(str(path))
    if not anywhere and not inside(Path.cwd(), path):
        raise invalid(f"cannot load {path}: it is outside the working directory, and the "
                      "statements are piped in", where,
                      hint="rerun with --allow-load to let piped statements load files "
                           "from anywhere")
    try:
        link = path.is_symlink()
    except OSError:  # a name the file system cannot take: the loader says so
        link = False
    if link:
        raise invalid(f"cannot load {path}: it is a symbolic link", where,
                      hint="load the file it points to by its own name")


def write_new_file(path: Path, text: str, *, overwrite: bool = False,
                   anywhere: bool = False) -> Path:
    """Write `text` to a new regular file at `path` (relative to the working directory).

    Refused: a path outside the working directory (unless `anywhere`, which needs the user's
    confirmation), an existing file (unless `overwrite`; even then only a regular file), and
    any symbolic link on the way. Returns the path written."""
    cwd = Path.cwd()
    target = path if path.is_absolute() else cwd / path
    parent = target.parent
    if not anywhere and not inside(cwd, parent):
        raise _refused("outside", target, "it is outside the working directory")
    if target.is_symlink():
        raise _refused("link", target, "it is a symbolic link")
    # O_NONBLOCK: a FIFO planted under the name fails at once instead of blocking.
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK | _flag("O_NOFOLLOW")
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    try:
        fd = os.open(target, flags, 0o644)
    except FileExistsError:
        raise _refused("exists", target, "it already exists") from None
    except OSError as err:
        raise _refused("cannot", target, err.strerror or str(err)) from None
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _refused("cannot", target, "it is not a regular file")
        stream.write(text)
    return target


def _refused(reason: str, path: Path, why: str) -> GradexplainError:
    return invalid(f"cannot save to {path}: {why}", SourceLocation(str(path)),
                   reason=reason, path=str(path))


def _flag(name: str) -> int:
    return int(getattr(os, name, 0))


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not an ordinary file"
