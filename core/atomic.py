"""Writing files and folders so that a reader (or the next command) sees the old one or the whole new one,
never half of it: the work goes to a temporary name beside the target (same filesystem, so the rename is
atomic) and is renamed into place only when it succeeded. A failed write (a full disk, an error half-way)
removes the temporary name and leaves the target as it was.

A target that is a symbolic link is followed (what is replaced is what it points at, the link stays); a
dangling link is refused with one line."""

import ctypes
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import InputError
from core.lang import say

_RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths atomically (Linux 3.15+)
_AT_FDCWD = -100


def real_target(path: Path) -> Path:
    """The path a write to `path` should replace: itself, or where its symbolic link(s) point."""
    if path.is_symlink():
        if not path.exists():
            raise InputError(say(f"{path}：是指向不存在位置（{os.readlink(path)}）的符号链接，未写入",
                                 f"{path}: a symbolic link to nothing ({os.readlink(path)}): not written"))
        return path.resolve()
    return path


def _temp_beside(target: Path) -> Path:
    """A hidden name beside `target`, of this process, keeping its suffix (writers that go by it still do)."""
    return target.parent / f".{target.stem}.part-{os.getpid()}{target.suffix}"


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write; renamed onto `path` when the block succeeds."""
    target = real_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(target)
    try:
        yield temp
        with open(temp, "rb+") as written:  # on disk before the rename makes it the file
            os.fsync(written.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step where the kernel can; False where it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Yield an empty folder beside `path` to fill; swapped in for `path` (in one step where the kernel can)
    when the block succeeds, the old folder then removed. On failure the new folder is removed."""
    target = real_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging, old = target.parent / f".{target.name}.building", target.parent / f".{target.name}.old"
    for leftover in (staging, old):  # a run killed half-way left them
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        if not target.exists():
            staging.rename(target)
        elif _exchange(staging, target):
            shutil.rmtree(staging)  # now the old site
        else:
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
