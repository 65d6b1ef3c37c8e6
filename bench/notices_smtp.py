"""Benchmark: notices through send_batch vs. the naive peer vs. a bare aiosmtplib loop, loopback SMTP.

- ours:  tasks.mail.smtp_sender.send_batch at concurrency N (reused connections, classification, on_result);
- naive: stdlib smtplib, sequential, one new connection per message (rate on the first 500 messages);
- bare:  N aiosmtplib connections pulling from one iterator, no classification, no callback.

Each runs against bench/smtp_sink.py in its own process, first with a slow sink (--delay-ms before each
DATA reply), then with a sink that answers at once. Ours and bare run --rounds times each in alternating
order and keep their best round (two processes share the CPUs, so single runs vary by ~20%); the figures
include the client CPU per message. The last line printed is one JSON object.

    .venv/bin/python bench/notices_smtp.py [--messages 10000] [--delay-ms 50] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import smtplib
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from tasks.mail.messages import Attachment, build_message
from tasks.mail.smtp_sender import SendResult, SmtpConfig, send_batch

HOST = "127.0.0.1"
SINK = Path(__file__).with_name("smtp_sink.py")
Batch = Sequence[tuple[str, EmailMessage]]


class Sink:
    """The sink process: its port and how many messages it has accepted."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.port = int(self._reply("PORT"))

    def count(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self._reply("COUNT"))

    def _reply(self, word: str) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != word:
            raise RuntimeError(f"smtp_sink said {line!r}, expected {word}")
        return line[1]


@contextmanager
def running_sink(delay_ms: float) -> Iterator[Sink]:
    command = [sys.executable, str(SINK), "--delay-ms", str(delay_ms)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield Sink(process)
    finally:
        assert process.stdin is not None
        process.stdin.close()  # end of input: the sink stops
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def notices(count: int) -> list[tuple[str, EmailMessage]]:
    """Typical 督导通知 e-mails: Chinese text and HTML bodies plus the notice as an HTML attachment."""
    document = (
        "<h1>督导通知书</h1>" + "<p>根据年度督导计划，定于十一月对你校开展综合督导。</p>" * 40
    ).encode()
    batch = []
    for i in range(count):
        key = f"notice:2026-{i // 100:03d}:notify:{i}"
        message = build_message(
            key=key,
            sender="dudao@edu.example.cn",
            sender_name="区教育督导室",
            recipients=[(f"第{i}中学 校长", f"head{i}@school.example.cn")],
            subject=f"关于对第{i}中学开展2026年度综合督导的通知",
            text="各校：\n请于十月三十一日前完成自评并上传自评报告。\n" * 10,
            html="<p>各校：</p><p>请于十月三十一日前完成自评并上传自评报告。</p>\n" * 10,
            attachments=[Attachment("督导通知书.html", document, "text/html")],
            domain="edu.example.cn",
        )
        batch.append((key, message))
    return batch


async def send_ours(batch: Batch, port: int, concurrency: int) -> Counter[str]:
    recorded: list[SendResult] = []  # stands in for the outbox row update done in on_result
    config = SmtpConfig(host=HOST, port=port, concurrency=concurrency)
    results = await send_batch(batch, config, on_result=recorded.append)
    return Counter(result.status for result in results)


async def send_bare(batch: Batch, port: int, concurrency: int) -> Counter[str]:
    pending = iter(batch)

    async def worker() -> None:
        client = aiosmtplib.SMTP(hostname=HOST, port=port, start_tls=False)
        await client.connect()
        for _, message in pending:
            await client.send_message(message)
        await client.quit()

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(batch)))))
    return Counter(sent=len(batch))


def send_naive(batch: Batch, port: int) -> Counter[str]:
    for _, message in batch:
        with smtplib.SMTP(HOST, port, timeout=30) as connection:
            connection.send_message(message)
    return Counter(sent=len(batch))


def timed(sink: Sink, batch: Batch, send) -> tuple[float, float]:
    """Run one peer; check the sink accepted every message; return (messages/s, client CPU µs/message)."""
    before = sink.count()
    start, cpu = time.perf_counter(), time.process_time()
    statuses = send()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    accepted = sink.count() - before
    if statuses != Counter(sent=len(batch)) or accepted != len(batch):
        raise RuntimeError(f"{len(batch)} messages: statuses {dict(statuses)}, sink accepted {accepted}")
    return len(batch) / elapsed, cpu / len(batch) * 1e6


def best_of(sink: Sink, batch: Batch, concurrency: int, rounds: int) -> dict[str, tuple[float, float]]:
    """Ours and bare in alternating order, `rounds` times each; keep each one's best round."""
    peers = {
        "ours": lambda: asyncio.run(send_ours(batch, sink.port, concurrency)),
        "bare": lambda: asyncio.run(send_bare(batch, sink.port, concurrency)),
    }
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": []}
    for round_ in range(rounds):
        for name in ("ours", "bare") if round_ % 2 == 0 else ("bare", "ours"):
            runs[name].append(timed(sink, batch, peers[name]))
    return {name: max(results) for name, results in runs.items()}


def run_against(
    delay_ms: float, batch: Batch, naive_count: int, args: argparse.Namespace
) -> dict[str, float]:
    with running_sink(delay_ms) as sink:
        best = best_of(sink, batch, args.concurrency, args.rounds)
        naive, naive_cpu = timed(
            sink, batch[:naive_count], lambda: send_naive(batch[:naive_count], sink.port)
        )
    (ours, ours_cpu), (bare, bare_cpu) = best["ours"], best["bare"]
    figures = {"delay_ms": delay_ms, "ours": ours, "naive": naive, "bare": bare}
    figures |= {"ours_over_naive": ours / naive, "bare_over_ours": bare / ours}
    figures |= {
        "cpu_us_per_msg_ours": ours_cpu,
        "cpu_us_per_msg_bare": bare_cpu,
        "cpu_us_per_msg_naive": naive_cpu,
    }
    figures = {name: round(value, 2) for name, value in figures.items()}
    print(
        f"sink delay {delay_ms:g} ms: ours {ours:,.0f}/s, naive {naive:,.1f}/s, bare {bare:,.0f}/s; "
        f"ours/naive {figures['ours_over_naive']}x, bare/ours {figures['bare_over_ours']}x; "
        f"client CPU/msg ours {ours_cpu:,.0f} µs, bare {bare_cpu:,.0f} µs, naive {naive_cpu:,.0f} µs"
    )
    return figures


def parse_options(description: str, rounds_help: str) -> argparse.Namespace:
    """The options every notices benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--delay-ms", type=float, default=50.0, help="slow sink: wait before each DATA reply")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--naive-messages", type=int, default=500, help="naive rate measured on these")
    parser.add_argument("--rounds", type=int, default=2, help=rounds_help)
    return parser.parse_args()


def main() -> None:
    args = parse_options(__doc__.splitlines()[0], "ours and bare alternate; best round kept")
    start = time.perf_counter()
    batch = notices(args.messages)
    build_seconds = time.perf_counter() - start
    print(f"built {len(batch):,} messages in {build_seconds:.1f} s")
    # Keep the collector from rescanning the 10,000 prebuilt message trees during every timed run: an
    # artefact of holding the whole corpus, which the outbox (building a batch at a time) does not have.
    gc.freeze()
    naive_count = min(args.naive_messages, len(batch))
    slow = run_against(args.delay_ms, batch, naive_count, args)
    instant = run_against(0.0, batch, naive_count, args)
    setup = {"messages": len(batch), "naive_messages": naive_count, "concurrency": args.concurrency}
    setup |= {"rounds": args.rounds, "build_ms_per_msg": round(build_seconds / len(batch) * 1000, 2)}
    setup |= {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "aiosmtplib": aiosmtplib.__version__,
    }
    print(json.dumps({**setup, "slow_sink": slow, "instant_sink": instant}))


if __name__ == "__main__":
    main()
