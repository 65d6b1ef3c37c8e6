"""Benchmark: 10,000 notices from the outbox (SQLite ledger rows) to an SMTP sink in its own process.

- ours:  tasks.mail.delivery.deliver_pending_now, bookkeeping included: claim the pending rows (committed),
         build each message from its row and document file, send over pooled aiosmtplib connections,
         record every outcome (committed every 50 ms);
- naive: stdlib smtplib, sequential, one new connection per message (rate on the first 500);
- bare:  N aiosmtplib connections pulling prebuilt messages from one iterator: no ledger, no building.

Each runs against bench/smtp_sink.py, first answering each DATA after --delay-ms, then at once. Ours and
bare alternate --rounds times each; every round is reported and the best kept (the machine is shared).
CPU per message counts ours' build workers too. The last line printed is one JSON object.

    .venv/bin/python bench/notices_outbox.py [--messages 10000] [--delay-ms 50] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import aiosmtplib
from notices_smtp import (  # bench/ is this script's folder
    Sink,
    parse_options,
    running_sink,
    send_bare,
    send_naive,
)
from sqlalchemy import insert, update

AS_OF = date(2026, 11, 2)
DOCUMENT = "<h1>督导通知书</h1>" + "<p>根据年度督导计划，定于十一月对你校开展综合督导，请按要求做好自评和迎检准备。</p>" * 40


def make_ledger(root: Path, count: int) -> str:
    """A migrated SQLite ledger with `count` pending notices, each with its filed HTML document."""
    os.environ["DUDAO_VAR_DIR"] = str(root / "var")
    os.environ["DUDAO_DATABASE_URL"] = url = f"sqlite:///{root / 'ledger.db'}"
    from core.db import get_engine, migrate
    from core.settings import get_settings
    from models import Document, Notice
    from tasks.mail.messages import message_id_for

    migrate(url)
    settings = get_settings()
    documents, notices = [], []
    for i in range(1, count + 1):
        path = Path("2026") / f"S{i % 60 + 1:03d}" / f"notice-{i}.html"
        (settings.out_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (settings.out_dir / path).write_text(DOCUMENT.replace("你校", f"第{i}中学"), encoding="utf-8")
        key = f"notice:2026-{i:05d}:notify"
        documents.append({"id": i, "key": key, "kind": "notice", "title": "督导通知书", "path": str(path),
                          "issued_on": AS_OF})
        notices.append({"id": i, "key": key, "kind": "notice", "document_id": i, "created_on": AS_OF,
                        "subject": f"【督导通知书】第{i}中学", "status": "pending", "attempts": 0, "last_error": "",
                        "recipients": json.dumps([[f"第{i}中学 校长", f"head{i}@school.example.cn"]], ensure_ascii=False),
                        "body_text": "各校：\n请于十月三十一日前完成自评并上传自评报告。\n" * 10,
                        "body_html": "<p>各校：</p><p>请于十月三十一日前完成自评并上传自评报告。</p>\n" * 10,
                        "message_id": message_id_for(key, settings.mail_domain)})
    with get_engine().begin() as conn:
        conn.execute(insert(Document.__table__), documents)
        conn.execute(insert(Notice.__table__), notices)
    return url


def prebuilt(count: int) -> list:
    """The same notices as EmailMessages, built before the clock starts (for bare and naive)."""
    from core.settings import get_settings
    from tasks.mail.delivery import claim_group
    from tasks.mail.notice_build import build
    from tasks.mail.outbox_claims import ClaimRequest, new_token, release

    token = new_token()
    group = claim_group(ClaimRequest(token, AS_OF, limit=count), get_settings())
    release(token)
    return [(spec.key, build(spec)) for spec in group.specs]


def reset_outbox() -> None:
    from core.db import session_scope
    from models import Notice

    with session_scope() as session:
        session.execute(update(Notice).values(status="pending", attempts=0, last_error="", sent_at=None))


def run_ours(port: int, concurrency: int) -> Counter[str]:
    from core.settings import get_settings
    from tasks.mail.delivery import deliver_pending_now

    os.environ |= {"DUDAO_SMTP_HOST": "127.0.0.1", "DUDAO_SMTP_PORT": str(port),
                   "DUDAO_SMTP_CONCURRENCY": str(concurrency)}
    get_settings.cache_clear()
    return Counter({k: v for k, v in deliver_pending_now(AS_OF).counts.items() if v})


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # build workers, once they have exited
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(sink: Sink, count: int, send) -> tuple[float, float]:
    """Run one peer; check the sink accepted every message; return (messages/s, client CPU µs/message)."""
    before = sink.count()
    start, cpu = time.perf_counter(), _cpu()
    statuses = send()
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    accepted = sink.count() - before
    if statuses != Counter(sent=count) or accepted != count:
        raise RuntimeError(f"{count} messages: statuses {dict(statuses)}, sink accepted {accepted}")
    return count / elapsed, cpu / count * 1e6


def rounds_against(sink: Sink, batch: list, args: argparse.Namespace) -> dict[str, list[tuple[float, float]]]:
    """Ours and bare in alternating order, `rounds` times each."""
    def ours():
        reset_outbox()
        return timed(sink, len(batch), lambda: run_ours(sink.port, args.concurrency))

    def bare():
        return timed(sink, len(batch), lambda: asyncio.run(send_bare(batch, sink.port, args.concurrency)))

    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": []}
    for round_ in range(args.rounds):
        for name, peer in ((("ours", ours), ("bare", bare)) if round_ % 2 == 0 else (("bare", bare), ("ours", ours))):
            runs[name].append(peer())
            print(f"  {name}: {runs[name][-1][0]:,.0f}/s", flush=True)
    return runs


def run_against(delay_ms: float, batch: list, args: argparse.Namespace) -> dict:
    naive_batch = batch[:args.naive_messages]
    with running_sink(delay_ms) as sink:
        runs = rounds_against(sink, batch, args)
        naive, naive_cpu = timed(sink, len(naive_batch), lambda: send_naive(naive_batch, sink.port))
    (ours, ours_cpu), (bare, bare_cpu) = max(runs["ours"]), max(runs["bare"])
    figures = {"delay_ms": delay_ms, "ours": ours, "naive": naive, "bare": bare,
               "ours_over_naive": ours / naive, "bare_over_ours": bare / ours,
               "cpu_us_per_msg_ours": ours_cpu, "cpu_us_per_msg_bare": bare_cpu, "cpu_us_per_msg_naive": naive_cpu}
    figures = {name: round(value, 2) for name, value in figures.items()}
    figures["rounds_ours"] = [round(rate, 1) for rate, _ in runs["ours"]]
    figures["rounds_bare"] = [round(rate, 1) for rate, _ in runs["bare"]]
    print(f"sink delay {delay_ms:g} ms: ours {ours:,.0f}/s, naive {naive:,.1f}/s, bare {bare:,.0f}/s; "
          f"ours/naive {figures['ours_over_naive']}x, bare/ours {figures['bare_over_ours']}x; client CPU/msg "
          f"ours {ours_cpu:,.0f} µs, bare {bare_cpu:,.0f} µs, naive {naive_cpu:,.0f} µs", flush=True)
    return figures


def main() -> None:
    args = parse_options(__doc__.splitlines()[0], "ours and bare alternate; every round reported")
    with tempfile.TemporaryDirectory(prefix="dudao-bench-") as folder:
        make_ledger(Path(folder), args.messages)
        batch = prebuilt(args.messages)
        gc.freeze()  # the prebuilt corpus for bare/naive stays out of the collector's way in every run
        args.naive_messages = min(args.naive_messages, len(batch))
        print(f"{len(batch):,} notices in the ledger; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
        slow = run_against(args.delay_ms, batch, args)
        instant = run_against(0.0, batch, args)
    setup = {"messages": len(batch), "naive_messages": args.naive_messages, "concurrency": args.concurrency,
             "rounds": args.rounds, "cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 1),
             "python": platform.python_version(), "aiosmtplib": aiosmtplib.__version__, "ledger": "sqlite"}
    print(json.dumps({**setup, "slow_sink": slow, "instant_sink": instant}))


if __name__ == "__main__":
    sys.exit(main())
