"""Benchmark: building a notice's e-mail (tasks/mail/notice_build.render: MessageSpec -> bytes as sent), now
and as before the remembered headers (issue 9), in the same run.

- now:    `render` as it is, on the fast path (tasks/mail/fast_path.py): a header factory that remembers
          parsed headers, a substring check of the MIME boundary, Address objects made once, folded lines
          remembered, To and Subject of Chinese text folded as plain encoded words by
          tasks/mail/encoded_words.py;
- before: the same code with the standard pieces put back, as at a177efe: `policy.default` for building
          (a fresh header class and parse for every header), `Address` made per recipient, the standard
          `BytesGenerator` (a regex compiled per boundary), the package folding every header; folded lines
          remembered as they already were.

The notices look like a province's: `--messages` 整改提醒-style documents (the real Jinja templates, rendered
before the clock starts) for units drawn from a province of `--schools` schools (bench/province_data.py),
subjects and attachment names from the titles in the sample year's mix, one to three recipients, the
document attached from a file. Few recipients and subjects repeat, as at province scale. The two runs
alternate `--rounds` times from cold caches; the best wall and the best CPU of each are kept. Both must
give the same bytes once the random MIME boundaries are numbered in order, but for the To and Subject lines;
those of "now" must read back (RFC 2047, as mail clients read them) as the spec's recipients and subject. How
many of "before" do not is printed: the package's folding sometimes writes the comma between two addresses as
an encoded word (`=?utf-8?q?=2C?=`), and a reader then sees one recipient fewer. The last line printed is one
JSON object.

    .venv/bin/python bench/message_build.py [--messages 2000] [--schools 30000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from email import policy
from email.headerregistry import Address
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Titles of the notices of the sample year (seed 2026) and how many of each, for subjects and file names.
TITLES = {"整改提醒": 354, "议题上报单": 139, "督导通知书": 103, "初步督导意见反馈书": 103, "督导报告": 103,
          "督导意见书": 88, "督办通知": 73, "约谈通知书": 52, "约谈记录": 52, "督导通报": 37, "问责建议书": 28,
          "复核申请受理通知书": 6, "复核决定书": 6, "督学聘期届满提醒": 6}
RECIPIENTS = {1: 773, 2: 239, 3: 141}  # recipients per notice in the sample year
AS_OF = date(2026, 5, 15)


def specs(count: int, schools: int, folder: Path, seed: int = 2026) -> list:
    """`count` MessageSpecs with their documents written under `folder`."""
    from bench.province_data import province
    from core.settings import get_settings
    from tasks.documents.contexts import doc_no
    from tasks.documents.letterhead import Letterhead
    from tasks.documents.rendering import render
    from tasks.mail.notice_build import MessageSpec, attachment_name

    district, settings, rng = province(schools), get_settings(), random.Random(seed)
    letterhead = Letterhead.of(district.identity())
    schools_ = [u for u in district.units if u.kind == "school"]
    others = [u for u in district.units if u.kind != "school"]
    out = []
    for i in range(count):
        unit = rng.choice(schools_)
        title = rng.choices(list(TITLES), weights=list(TITLES.values()))[0]
        copied = rng.sample(others, rng.choices(list(RECIPIENTS), weights=list(RECIPIENTS.values()))[0] - 1)
        context = {"title": title, "doc_no": doc_no("reminder", 2026, i + 1), "issued_on": AS_OF,
                   "unit": SimpleNamespace(name=unit.name, code=unit.code),
                   "inspection": {"code": f"2026-ZH-{i:05d}"}, "finding": {"text": "校舍安全隐患未按期整改到位"},
                   "deadline": AS_OF + timedelta(days=14), "workdays_left": rng.randint(1, 5)}
        html, text = render("reminder", context, letterhead)
        path = folder / f"notice-{i}.html"
        path.write_text(html, encoding="utf-8")
        out.append(MessageSpec(
            key=f"item:{i}:reminder:1:{AS_OF}", sender=settings.smtp_from, sender_name=settings.smtp_from_name,
            recipients=tuple((u.name, u.email) for u in [unit, *copied]), subject=f"【{title}】{unit.name}",
            text=text, html=html, attachments=((attachment_name(title, ".html"), str(path), "text/html"),),
            domain=settings.mail_domain))
    return out


@contextmanager
def patched(module, name: str, value):
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


def _new_address(display_name: str, addr_spec: str) -> Address:
    return Address(display_name=display_name, addr_spec=addr_spec)


def render_before(spec) -> bytes:
    """Built under policy.default with a new Address per recipient (tasks/mail/messages.py as before)."""
    from tasks.mail import fast_path, messages, notice_build

    with patched(messages, "_address_object", _new_address):
        message = notice_build.build(spec, policy.default)
    with patched(fast_path, "_encoded", lambda *_: None):  # the package folds To and Subject too
        return message.as_bytes(policy=_BEFORE_SMTP)


def render_now(spec) -> bytes:
    from tasks.mail.notice_build import render

    return render(spec)


def cold() -> None:
    """Forget what either run remembered, so each round starts as a fresh worker process would."""
    from tasks.mail import fast_path, messages

    fast_path.forget()
    messages._address_object.cache_clear()


def timed(render, batch: list) -> tuple[list[bytes], float, float]:
    """(bytes, wall s, CPU s) of rendering the batch."""
    cold()
    start, cpu = time.perf_counter(), time.process_time()
    out = [render(spec) for spec in batch]
    return out, time.perf_counter() - start, time.process_time() - cpu


def numbered(raw: bytes) -> bytes:
    """The bytes with each random MIME boundary replaced by its number in order of appearance."""
    seen: dict[bytes, bytes] = {}
    return re.sub(rb"={15}\d{19}==(?:\.\d+)?", lambda m: seen.setdefault(m.group(0), b"BOUNDARY-%d" % len(seen)), raw)


def without_to_and_subject(raw: bytes) -> bytes:
    """The numbered bytes without the To and Subject lines."""
    head, _, body = numbered(raw).partition(b"\r\n\r\n")
    return re.sub(rb"^(To|Subject): .*\r\n(?:[ \t].*\r\n)*", b"", head + b"\r\n", flags=re.M) + body


def reads_as_given(raw: bytes, spec) -> bool:
    """Whether the To and Subject read back (RFC 2047 decoding) as the spec's recipients and subject."""
    from email.header import decode_header, make_header
    from email.parser import BytesParser

    parsed = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
    to = ", ".join(f"{name} <{address}>" for name, address in spec.recipients)
    return all(str(make_header(decode_header(parsed[name]))) == given
               for name, given in (("Subject", spec.subject), ("To", to)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--schools", type=int, default=30000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.messages < 1 or args.schools < 1 or args.rounds < 1:
        sys.exit("bench/message_build.py: --messages, --schools and --rounds must be at least 1")

    from tasks.mail.fast_path import _RememberedFolding

    global _BEFORE_SMTP
    _BEFORE_SMTP = _RememberedFolding(linesep="\r\n")  # its own standard HeaderRegistry, as before
    with tempfile.TemporaryDirectory(prefix="dudao-bench-messages-") as folder:
        os.environ.setdefault("DUDAO_VAR_DIR", folder)
        start = time.perf_counter()
        batch = specs(args.messages, args.schools, Path(folder))
        print(f"{len(batch):,} notices for a province of {args.schools:,} schools in "
              f"{time.perf_counter() - start:.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)
        runs: dict[str, list[tuple[float, float]]] = {"before": [], "now": []}
        same = True
        for round_ in range(args.rounds):
            order = (("before", render_before), ("now", render_now))
            outputs = {}
            for name, render in order if round_ % 2 == 0 else order[::-1]:
                outputs[name], wall, cpu = timed(render, batch)
                runs[name].append((wall, cpu))
                print(f"  round {round_ + 1} {name:6s}: {len(batch) / wall:7,.0f} messages/s, "
                      f"{cpu / len(batch) * 1e6:6,.0f} µs CPU a message", flush=True)
            same &= [without_to_and_subject(raw) for raw in outputs["before"]] == \
                [without_to_and_subject(raw) for raw in outputs["now"]]
            misread = {name: sum(not reads_as_given(raw, spec) for raw, spec in zip(outputs[name], batch, strict=True))
                       for name in outputs}
            same &= misread["now"] == 0
    best = {name: (min(t[0] for t in times), min(t[1] for t in times)) for name, times in runs.items()}  # wall, CPU
    figures = {name: {"messages_per_s": round(len(batch) / wall, 1),
                      "cpu_us_per_message": round(cpu / len(batch) * 1e6)} for name, (wall, cpu) in best.items()}
    ratio = best["before"][1] / best["now"][1]
    print("\n| run | messages/s | CPU µs a message |\n| --- | ---: | ---: |")
    for name, figure in figures.items():
        print(f"| {name} | {figure['messages_per_s']:,.0f} | {figure['cpu_us_per_message']:,} |")
    print(f"CPU before / now: {ratio:.2f}x; same messages (boundaries numbered; To and Subject read back as given): {same}; "
          f"To or Subject misread: before {misread['before']}, now {misread['now']}; load {os.getloadavg()[0]:.1f}")
    print(json.dumps({"messages": len(batch), "schools": args.schools, "rounds": args.rounds, **figures,
                      "cpu_ratio_before_now": round(ratio, 2), "same_messages": same,
                      "misread_before": misread["before"], "misread_now": misread["now"],
                      "load_1min": round(os.getloadavg()[0], 2)}))
    if not same:
        sys.exit("bench/message_build.py: the two runs gave different messages")


_BEFORE_SMTP = None

if __name__ == "__main__":
    main()
