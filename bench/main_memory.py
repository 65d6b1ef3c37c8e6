"""Where the year's main process grows: its resident memory at each month's end, bare (bench/year_run.py).

`python bench/main_memory.py DISTRICT [UNTIL] [--variant NAME]`, DISTRICT as in bench/year_run.py. Prints one line
a month: the resident set, then after `gc.collect()`, then after glibc's `malloc_trim(0)` (memory freed but kept
by the allocator). Variants, to tell what holds the growth:
- `as-is`: the year as it runs;
- `no-pdf`: every PDF replaced by a few bytes (nothing typeset): the year's own growth without Typst;
- `renew-compiler`: each PDF thread drops its Typst compiler every 1,000 documents (a compiler's own state).
Run `MALLOC_ARENA_MAX=1` in the environment to see whether glibc's per-thread arenas hold it.
"""

import argparse
import ctypes
import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def _report_each_month() -> None:
    import flows.simulate_year as sy

    simulate_days, libc = sy.simulate_days.fn, ctypes.CDLL("libc.so.6")

    def month(year, start, end):
        result = simulate_days(year, start, end)
        before = _resident_mb()
        gc.collect()
        collected = _resident_mb()
        libc.malloc_trim(0)
        print(f"{end}  resident {before:.0f} MB  after gc {collected:.0f} MB  after trim {_resident_mb():.0f} MB",
              flush=True)
        return result

    sy.simulate_days.fn = month


def _variant(name: str) -> None:
    import tasks.documents.filing as filing
    import tasks.documents.pdf as pdf

    if name == "no-pdf":
        filing.typeset = lambda *arguments: b"%PDF-1.7"
    elif name == "renew-compiler":
        compiler = pdf._compiler

        def renewed():
            pdf._LOCAL.used = getattr(pdf._LOCAL, "used", 0) + 1
            if pdf._LOCAL.used % 1000 == 0:
                pdf._LOCAL.compiler = None
            return compiler()

        pdf._compiler = renewed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("district")
    parser.add_argument("until", nargs="?")
    parser.add_argument("--variant", choices=["as-is", "no-pdf", "renew-compiler"], default="as-is")
    arguments = parser.parse_args()
    import bench.year_run as year_run

    _report_each_month()
    _variant(arguments.variant)
    year_run._instrument = lambda: None  # the months are wrapped here instead
    print(f"wall {year_run.run('bare', arguments.district, arguments.until)['wall_s']} s")


if __name__ == "__main__":
    main()
