"""Benchmark: the daily sweep's ladder step over 10k, 100k and 1M open rectification items with ~0.5% due on the
sweep day, on SQLite and PostgreSQL — seconds and peak memory — beside a raw SQL select of the same due rows,
and beside a naive version that makes one Prefect task run per item (measured on a small count).

Each measurement runs in a fresh process (spawn), so its peak memory is its own: the growth of the process's
peak RSS over what it held after imports and connecting. The ledgers are built with bulk inserts.

    .venv/bin/python bench/sweep_ladder.py                       # 10k, 100k, 1M on SQLite and PostgreSQL
    .venv/bin/python bench/sweep_ladder.py --quick               # 10k and 100k on SQLite, naive on 40 items
    .venv/bin/python bench/sweep_ladder.py --db sqlite --sizes 1000000 --naive 0
    .venv/bin/python bench/sweep_ladder.py --sizes 10000,100000,1000000 --due-items 500 --naive 0

The last line printed is one JSON object with every figure.
"""

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from queue import Empty

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AS_OF = date(2026, 11, 4)  # a Wednesday, no holiday near
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dudao_bench_ladder"
DUE_SQL = "SELECT * FROM rectificationitem WHERE stage = 'open' AND next_action_on <= :as_of"


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(what: str, url: str, var_dir: str, queue) -> None:
    """One measurement in a fresh process; puts {"seconds", "peak_mb", "count"} on the queue."""
    os.environ.update(DUDAO_DATABASE_URL=url, DUDAO_VAR_DIR=var_dir)
    from sqlalchemy import text

    from core.db import get_engine, session_scope
    from rules.runtime import load_runtime
    from tasks.ladder.climb import climb_ladder

    rt = load_runtime()
    rt.calendar.is_workday(AS_OF)
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))
    if what == "naive":
        from bench.ladder_naive import warm_up

        warm_up()
    base, start = _peak_mb(), time.perf_counter()
    if what == "raw":
        with get_engine().connect() as conn:
            count = len(conn.execute(text(DUE_SQL), {"as_of": AS_OF}).fetchall())
    elif what == "sweep":
        with session_scope() as session:
            count = len(climb_ladder(session, AS_OF, rt))
    else:
        from bench.ladder_naive import naive_sweep

        count = naive_sweep(AS_OF)
    queue.put({"seconds": round(time.perf_counter() - start, 3), "peak_mb": round(_peak_mb() - base, 1),
               "count": count})


def measure(what: str, url: str, var_dir: str) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(what, url, var_dir, queue))
    proc.start()
    while proc.is_alive() or not queue.empty():
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            continue
    else:
        raise RuntimeError(f"the {what} measurement died (exit code {proc.exitcode})")
    proc.join()
    return result


def _build(url: str, var_dir: str, n_items: int, due_fraction: float) -> tuple[int, float]:
    Path(var_dir).mkdir(parents=True, exist_ok=True)
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_build_child, args=(url, var_dir, n_items, due_fraction, queue))
    proc.start()
    due, seconds = queue.get(timeout=7200)
    proc.join()
    return due, seconds


def _build_child(url: str, var_dir: str, n_items: int, due_fraction: float, queue) -> None:
    os.environ.update(DUDAO_DATABASE_URL=url, DUDAO_VAR_DIR=var_dir)
    from bench.ladder_data import build_ledger

    start = time.perf_counter()
    due = build_ledger(url, n_items, due_fraction, AS_OF)
    queue.put((due, round(time.perf_counter() - start, 1)))


def run_size(db: str, n_items: int, due_fraction: float, work: Path) -> dict:
    var_dir = work / f"{db}-{n_items}"
    url = PG_URL if db == "postgresql" else f"sqlite:///{var_dir / 'ledger.db'}"
    due, build_s = _build(url, str(var_dir), n_items, due_fraction)
    raw = measure("raw", url, str(var_dir))
    sweep = measure("sweep", url, str(var_dir))
    again = measure("sweep", url, str(var_dir))  # the same day again: nothing due any more
    row = {"db": db, "open_items": n_items, "due_items": due, "build_s": build_s,
           "raw_select_s": raw["seconds"], "raw_select_peak_mb": raw["peak_mb"], "raw_rows": raw["count"],
           "sweep_s": sweep["seconds"], "sweep_peak_mb": sweep["peak_mb"], "moved": sweep["count"],
           "sweep_ms_per_due_item": round(1000 * sweep["seconds"] / max(due, 1), 2),
           "repeat_sweep_s": again["seconds"], "repeat_moved": again["count"]}
    print(f"{db:10} {n_items:>9,} open {due:>6,} due | raw select {raw['seconds']:7.3f} s {raw['peak_mb']:7.1f} MB"
          f" | sweep {sweep['seconds']:7.2f} s {sweep['peak_mb']:7.1f} MB ({row['sweep_ms_per_due_item']} ms/item)"
          f" | same day again {again['seconds']:.3f} s", flush=True)
    return row


def run_naive(db: str, count: int, work: Path) -> dict:
    """One Prefect task run per item, against the batch sweep on an identical ledger of `count` due items."""
    rows = {}
    for what in ("naive", "sweep"):
        var_dir = work / f"{db}-{what}-{count}"
        url = PG_URL if db == "postgresql" else f"sqlite:///{var_dir / 'ledger.db'}"
        _build(url, str(var_dir), count, 1.0)
        rows[what] = measure(what, url, str(var_dir))
    naive, batch = rows["naive"], rows["sweep"]
    row = {"db": db, "items": count, "naive_s": naive["seconds"], "naive_moved": naive["count"],
           "naive_ms_per_item": round(1000 * naive["seconds"] / count, 2), "batch_s": batch["seconds"],
           "batch_ms_per_item": round(1000 * batch["seconds"] / count, 2)}
    print(f"{db:10} naive: {count} task runs {naive['seconds']:.2f} s ({row['naive_ms_per_item']} ms/item) | "
          f"batch {batch['seconds']:.2f} s ({row['batch_ms_per_item']} ms/item)", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="open items, comma-separated")
    parser.add_argument("--due", type=float, default=0.005, help="fraction of the open items due on the day")
    parser.add_argument("--due-items", type=int, help="about this many due items whatever the size (overrides --due):"
                        " shows the cost follows the due items, not the open ones")
    parser.add_argument("--naive", type=int, default=200, help="items for the naive one-task-per-item run (0: skip)")
    parser.add_argument("--quick", action="store_true", help="10k and 100k on SQLite, naive on 40 items")
    args = parser.parse_args()
    if args.quick:
        args.db, args.sizes, args.naive = "sqlite", "10000,100000", 40
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="dudao-bench-ladder-") as tmp:
        work = Path(tmp)
        sweeps = [run_size(db, n, args.due_items / n if args.due_items else args.due, work) for db in dbs for n in sizes]
        naive = [run_naive(db, args.naive, work) for db in dbs] if args.naive else []
    print(json.dumps({"benchmark": "sweep_ladder", "as_of": AS_OF.isoformat(),
                      "due": {"items": args.due_items} if args.due_items else {"fraction": args.due},
                      "sweeps": sweeps, "naive": naive}, ensure_ascii=False))


if __name__ == "__main__":
    main()
