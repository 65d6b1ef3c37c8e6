"""What a process costs to start, with the bytecode `make` compiles and without it (the baseline, same run).

Where PYTHONDONTWRITEBYTECODE is set (our machines and CI set it) Python writes no .pyc of its own, so every process
compiles every module it imports from source unless the install compiled them (`uv sync --compile-bytecode`,
`make bytecode`). The baseline points Python at an empty bytecode folder (PYTHONPYCACHEPREFIX), which it then
neither reads from nor writes to: the process as it was before. Each command runs REPEAT times a side, alternated;
the table shows the median wall time, CPU time and largest resident set.

    .venv/bin/python bench/process_start.py [--repeat 5]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
JEMALLOC = {"LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"}  # as the worker processes run
COMMANDS = {  # name: (argv, standard input, extra environment)
    "dudao --help (a CLI command)": ([str(BIN / "dudao"), "--help"], b"", {}),
    "a typesetting part (one line)": ([sys.executable, "-m", "tasks.documents.pdf", "--source"], b"Hello", JEMALLOC),
    "import pypdf (a typesetting parent's join)": ([sys.executable, "-c", "import pypdf"], b"", JEMALLOC),
    "import prefect, the flows (the year's process)": (
        [sys.executable, "-c", "import prefect, flows.simulate_year"], b"", {}),
}


def _run(argv: list[str], stdin: bytes, env: dict) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and the child's largest resident set in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, input=stdin, env=env, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, after.ru_maxrss / 1024  # ru_maxrss of children: the largest of any waited for so far


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="dudao-no-bytecode-") as empty:
        sides = {"compiled": {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                 "from source": {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": empty}}
        print(f"{'command':48} {'side':12} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}")
        for name, (argv, stdin, extra) in COMMANDS.items():
            runs = {side: [] for side in sides}
            for _ in range(args.repeat):
                for side, env in sides.items():  # alternated: a machine's drift touches both sides alike
                    runs[side].append(_measure_alone(argv, stdin, {**env, **extra}))
            figures = {side: [statistics.median(column) for column in zip(*rows, strict=True)]
                       for side, rows in runs.items()}
            for side, (wall, cpu, peak) in figures.items():
                print(f"{name:48} {side:12} {wall:7.2f} {cpu:7.2f} {peak:8.1f}")
            compiled, source = figures["compiled"], figures["from source"]
            results[name] = {"compiled": compiled, "from_source": source,
                             "cpu_ratio": round(source[1] / compiled[1], 2)}
            print(f"{'':48} {'ratio':12} {source[0] / compiled[0]:7.2f} {source[1] / compiled[1]:7.2f} "
                  f"{source[2] / compiled[2]:8.2f}")
    print(json.dumps(results, ensure_ascii=False))


def _measure_alone(argv: list[str], stdin: bytes, env: dict) -> tuple[float, float, float]:
    """One run in a fresh interpreter of its own, so RUSAGE_CHILDREN's peak is this run's alone."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); from process_start import _run; "
            "print(json.dumps(_run(json.loads(sys.argv[2]), sys.stdin.buffer.read(), json.loads(sys.argv[3]))))")
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), json.dumps(argv),
                           json.dumps(env)], input=stdin, capture_output=True, check=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return tuple(json.loads(done.stdout))


if __name__ == "__main__":
    main()
