"""One build worker: `python -m tasks.mail.build_worker`, started by tasks/mail/build_workers.py.

A fresh interpreter, not a fork of the process that delivers: a fork shares the parent's pages until either side
writes one, and a parent that goes on simulating or sweeping writes nearly all of them (reading a Python object
writes its reference count), so each forked worker came to hold a copy of the parent — 400 MB of the 940 MB a
3,000-school year peaked at. This one holds only what building a message needs.

It reads jobs on its standard input and writes answers on its standard output, each a pickle after its length:
a job is `(function, arguments)`, an answer `(True, result)` or `(False, exception)`. It leaves at the end of
its input, which is also what it sees when the parent dies, however it died.
"""

import os
import pickle
import struct
import sys
from typing import BinaryIO

_LENGTH = struct.Struct("!Q")


def send(stream: BinaryIO, value: object) -> None:
    send_bytes(stream, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def send_bytes(stream: BinaryIO, data: bytes) -> None:
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def receive_bytes(stream: BinaryIO) -> bytes:
    """The next message's pickle, or EOFError at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _answer(job: bytes) -> tuple[bool, object]:
    try:
        function, arguments = pickle.loads(job)
        return True, function(*arguments)
    except Exception as exc:  # the caller's future raises it
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return False, exc


def main() -> None:
    jobs, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to the standard error, never into the answers
    import tasks.mail.maildir  # noqa: F401  the building code, loaded before the first job arrives

    while True:
        try:
            job = receive_bytes(jobs)
        except EOFError:
            return
        try:
            send(answers, _answer(job))
        except BrokenPipeError:  # the parent is gone: nobody waits for the answer
            return


if __name__ == "__main__":
    main()
