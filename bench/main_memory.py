"""Where the year's main process grows: its resident memory at each month's end, bare (bench/year_run.py).

`python bench/main_memory.py DISTRICT [UNTIL] [--variant NAME]`, DISTRICT as in bench/year_run.py. Prints one line
a month: the resident set, then after `gc.collect()`, then after glibc's `malloc_trim(0)` (memory freed but kept
by the allocator). Variants, to tell what holds the growth:
- `as-is`: the year as it runs (the PDFs set in the PDF workers, processes of their own);
- `threads`: the PDFs set in a pool of threads of this process, one a core, as before 7 December 2026;
- `no-pdf`: every PDF replaced by a few bytes, written here (nothing typeset): the year's own growth;
- `renew-compiler`: `threads`, each thread dropping its Typst compiler every 1,000 documents (a compiler's own
  state).
Run `MALLOC_ARENA_MAX=1` in the environment to see whether glibc's per-thread arenas hold it. `--sites N`
traces Python's allocations (tracemalloc, slower) and prints, each month, the N lines of code whose memory grew
most since the first month's end. `--daily MB` also prints each simulated day after which the resident set had
grown by MB or more, with what the day did (its steps' counts): where a high-water mark was set.
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


def _report_each_month(sites: int) -> None:
    import tracemalloc

    import flows.simulate_year as sy

    simulate_days, libc = sy.simulate_days.fn, ctypes.CDLL("libc.so.6")
    first = []

    def month(year, start, end):
        result = simulate_days(year, start, end)
        before = _resident_mb()
        gc.collect()
        collected = _resident_mb()
        libc.malloc_trim(0)
        print(f"{end}  resident {before:.0f} MB  after gc {collected:.0f} MB  after trim {_resident_mb():.0f} MB",
              flush=True)
        if sites:
            snapshot = tracemalloc.take_snapshot()
            traced = sum(stat.size for stat in snapshot.statistics("filename")) / 2**20
            print(f"    Python heap traced: {traced:.0f} MB", flush=True)
            if first:
                for stat in snapshot.compare_to(first[0], "lineno")[:sites]:
                    print(f"    {stat.size_diff / 2**20:+7.1f} MB  {stat.count_diff:+9d}  {stat.traceback[0]}")
            else:
                first.append(snapshot)
        return result

    sy.simulate_days.fn = month


def _report_each_day(threshold_mb: float) -> None:
    import flows.simulate_year as sy

    simulate_day, last = sy.simulate_day, [_resident_mb()]

    def day(session, run, when, runtime):
        counts = simulate_day(session, run, when, runtime)
        now = _resident_mb()
        if now - last[0] >= threshold_mb:
            busy = ", ".join(f"{step} {count}" for step, count in sorted(counts.items(), key=lambda c: -c[1])[:6]
                             if count)
            print(f"  {when}  {last[0]:.0f} -> {now:.0f} MB  ({busy})", flush=True)
        last[0] = now
        return counts

    sy.simulate_day = day


def _variant(name: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import tasks.documents.filing as filing
    import tasks.documents.pdf as pdf

    if name in ("threads", "renew-compiler"):
        threads = ThreadPoolExecutor(filing.PDF_WORKERS, thread_name_prefix="document-pdf")
        filing.pdf_workers = lambda: threads
    if name == "no-pdf":
        def placeholder(target, ticket, *arguments):
            pdf.write_atomically(target, b"%PDF-1.7")
            ticket.unlink(missing_ok=True)

        filing.pdf_workers = lambda: type("Here", (), {"submit": staticmethod(_done_here(placeholder))})()
    elif name == "renew-compiler":
        compiler = pdf._compiler

        def renewed():
            pdf._LOCAL.used = getattr(pdf._LOCAL, "used", 0) + 1
            if pdf._LOCAL.used % 1000 == 0:
                pdf._LOCAL.compiler = None
            return compiler()

        pdf._compiler = renewed


def _done_here(replacement):
    """A pool's `submit` that runs `replacement` at once in the caller instead of the function it is given."""
    from concurrent.futures import Future

    def submit(fn, *arguments):
        future = Future()
        future.set_running_or_notify_cancel()
        future.set_result(replacement(*arguments))
        return future

    return submit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("district")
    parser.add_argument("until", nargs="?")
    parser.add_argument("--variant", choices=["as-is", "threads", "no-pdf", "renew-compiler"], default="as-is")
    parser.add_argument("--sites", type=int, default=0, help="trace allocations: the N sites that grew most")
    parser.add_argument("--daily", type=float, default=0.0, help="print each day that grew the process by MB")
    arguments = parser.parse_args()
    import bench.year_run as year_run

    if arguments.sites:
        import tracemalloc

        tracemalloc.start(1)
    _report_each_month(arguments.sites)
    if arguments.daily:
        _report_each_day(arguments.daily)
    _variant(arguments.variant)
    year_run._instrument = lambda: None  # the months are wrapped here instead
    print(f"wall {year_run.run('bare', arguments.district, arguments.until)['wall_s']} s")


if __name__ == "__main__":
    main()
