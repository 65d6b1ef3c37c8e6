"""The peak memory of a process *with its children*: the sum of their proportional set sizes (PSS: a page shared
by forked processes counted once, in shares), sampled.

`ru_maxrss` is one process's peak: a year's figure from it leaves out the processes it starts (the mail-building
workers, the typesetting of a very large document in a process of its own), and the machine must hold them all at
once. So a thread samples /proc every `interval` seconds and keeps the largest sum; a peak shorter than that can be
missed, which the figure's name says ("sampled").

    python bench/tree_memory.py COMMAND ...   # runs it, then prints the sampled peak of its tree in MB
"""

import os
import subprocess
import sys
import threading
from pathlib import Path


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_rss_mb(root: int) -> float:
    """The memory of `root` and all its descendants now (PSS), in MB."""
    tree, pending, kb = _children(), [root], 0
    while pending:
        pid = pending.pop()
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        kb += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        pending.extend(tree.get(pid, []))
    return kb / 1024


class TreePeak:
    """`with TreePeak() as peak: ...` then `peak.mb`: the largest sampled sum over this process and its children."""

    def __init__(self, root: int | None = None, interval: float = 0.25):
        self.root, self.interval, self.mb = root or os.getpid(), interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="tree-memory", daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.mb = max(self.mb, tree_rss_mb(self.root))
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreePeak":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


if __name__ == "__main__":
    child = subprocess.Popen(sys.argv[1:])
    with TreePeak(child.pid) as peak:
        code = child.wait()
    print(f"peak memory of the process tree (sampled every 0.25 s): {peak.mb:.0f} MB", file=sys.stderr)
    sys.exit(code)
