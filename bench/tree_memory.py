"""The peak memory of a process *with its children*: the sum of their proportional set sizes (PSS: a page shared
by forked processes counted once, in shares), sampled.

`ru_maxrss` is one process's peak: a year's figure from it leaves out the processes it starts (the mail-building
workers, the typesetting of a very large document in a process of its own), and the machine must hold them all at
once. So a thread samples /proc every `interval` seconds and keeps the largest sum; a peak shorter than that can be
missed, which the figure's name says ("sampled").

The same samples give each kind of process's CPU time (`cpu_by_name`: the last CPU seconds seen of each process,
summed by name), so a run says where its workers' time went; a process that lives less than `interval` may be missed.

    python bench/tree_memory.py COMMAND ...   # runs it, then prints the sampled peak of its tree in MB
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _children(cpu: dict[int, float] | None = None) -> dict[int, list[int]]:
    """Each process's children; and, given `cpu`, each process's CPU seconds so far (user + system) put in it."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
            if cpu is not None:  # after the name: state, ppid, ... utime is the 12th, stime the 13th
                cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICKS
    return tree


def _name(pid: int) -> str:
    """What a process is, in a few words: its command line's last two words (the module or script it runs)."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    return " ".join(Path(w).name if "/" in w else w for w in [w for w in words if w][-2:])[:60]


def tree_parts(root: int, cpu: dict[int, float] | None = None) -> dict[int, tuple[str, float]]:
    """Each process of the tree of `root` now: its name and its PSS in MB (and, given `cpu`, every process's CPU
    seconds put in it)."""
    tree, pending, parts = _children(cpu), [root], {}
    while pending:
        pid = pending.pop()
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        kb = next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        parts[pid] = (_name(pid), kb / 1024)
        pending.extend(tree.get(pid, []))
    return parts


def tree_rss_mb(root: int) -> float:
    """The memory of `root` and all its descendants now (PSS), in MB."""
    return sum(mb for _, mb in tree_parts(root).values())


class TreePeak:
    """`with TreePeak() as peak: ...` then `peak.mb`: the largest sampled sum over this process and its children,
    and `peak.parts`: what each process held at that moment (name and MB, the largest first)."""

    def __init__(self, root: int | None = None, interval: float = 0.25):
        self.root, self.interval, self.mb = root or os.getpid(), interval, 0.0
        self.parts: list[tuple[str, float]] = []
        self.at = 0.0  # seconds from the start to the peak sampled
        self._cpu: dict[int, tuple[str, float]] = {}  # each process of the tree seen: its name, its last CPU seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="tree-memory", daemon=True)

    def _sample(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            cpu: dict[int, float] = {}
            parts = tree_parts(self.root, cpu)
            self._cpu.update({pid: (name, cpu.get(pid, 0.0)) for pid, (name, _) in parts.items()})
            total = sum(mb for _, mb in parts.values())
            if total > self.mb:
                self.mb, self.at = total, time.monotonic() - started
                self.parts = sorted(((name, round(mb, 1)) for name, mb in parts.values()), key=lambda p: -p[1])
            self._stop.wait(self.interval)

    def cpu_by_name(self, leave_out: int | None = None) -> dict[str, float]:
        """CPU seconds by kind of process (its name), the largest first, as last sampled; `leave_out` a pid."""
        sums: dict[str, float] = {}
        for pid, (name, seconds) in self._cpu.items():
            if pid != leave_out:
                sums[name] = sums.get(name, 0.0) + seconds
        return {name: round(seconds, 1) for name, seconds in sorted(sums.items(), key=lambda item: -item[1])}

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
    print(f"peak memory of the process tree (sampled every 0.25 s): {peak.mb:.0f} MB at {peak.at:.0f} s: "
          + ", ".join(f"{name} {mb:.0f}" for name, mb in peak.parts), file=sys.stderr)
    sys.exit(code)
