"""SMTP sink for the benchmarks: aiosmtpd in its own process, on 127.0.0.1, answering DATA after a delay.

Prints ``PORT <n>`` once listening. Reads commands on stdin, one a line: ``count`` prints ``COUNT <n>``
(messages accepted so far); end of input stops the sink, so it never outlives the benchmark.

    python bench/smtp_sink.py --delay-ms 50
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from aiosmtpd.smtp import SMTP


class CountingSink:
    """aiosmtpd handler: waits ``delay`` seconds (a slow relay), then accepts and counts the message."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.count = 0

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.count += 1
        return "250 OK queued"


async def serve(port: int, delay_ms: float) -> None:
    loop = asyncio.get_running_loop()
    sink = CountingSink(delay_ms / 1000)
    # A fixed server hostname: aiosmtpd would otherwise call getfqdn() for every connection.
    server = await loop.create_server(lambda: SMTP(sink, hostname="sink.localhost"), "127.0.0.1", port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    while line := await commands.readline():
        if line.strip() == b"count":
            print(f"COUNT {sink.count}", flush=True)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=50.0, help="wait before answering DATA")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.delay_ms))


if __name__ == "__main__":
    main()
