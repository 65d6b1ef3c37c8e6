"""PDF engines side by side on the sample year's filed documents (every kind), beside the HTML render.

Reads the documents `make demo` filed (the ledger's rows, their HTML under var/out/<year>: all 19 kinds,
~1,100 documents), and
measures, in one run, CPU seconds of this process (every thread counted: documents per second per core):
(1) the HTML render of a 督导报告 from a ready context, as the sweep renders every document
(bench/render_reports.py's contexts), the baseline; (2) the HTML of each filed document turned into Typst
markup (tasks/documents/typesetting.py); (3) Typst: markup + PDF/A-2b, as every filed document gets it
(tasks/documents/pdf.typeset); (4) WeasyPrint, the engine before, on a few documents of each kind (it is
slow); (5) Typst over a pool of threads, as the document writers run it (wall clock: documents per second on
this machine). Prints a table, the ratios to the baseline, then one JSON line.

    .venv/bin/python bench/render_pdfs.py [--year 2026] [--weasyprint-per-kind 2] [--threads 2]
"""

import argparse
import json
import os
import resource
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.render_reports import report_context  # noqa: E402
from core.db import session_scope  # noqa: E402
from core.settings import get_settings  # noqa: E402
from models import Document  # noqa: E402
from tasks.documents.letterhead import Letterhead  # noqa: E402
from tasks.documents.pdf import typeset  # noqa: E402
from tasks.documents.rendering import render  # noqa: E402
from tasks.documents.typst_source import markup  # noqa: E402
from tasks.exchange.district_file import read_district_file  # noqa: E402

GOAL = 100  # PDFs a second per core (issue 19)


def measured(label: str, count: int, fn) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"label": label, "documents": count, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "per_core_per_s": round(count / cpu, 1) if cpu else None, "wall_per_s": round(count / wall, 1),
            "cpu_ms_per_document": round(cpu / count * 1000, 2)}


def documents(year: int) -> list[tuple[str, str, str, date]]:
    """(kind, key, html, issued on) of every document the ledger filed in the year, read from its file."""
    out_dir = get_settings().out_dir
    with session_scope() as session:
        rows = session.exec(select(Document.kind, Document.key, Document.path, Document.issued_on)
                            .order_by(Document.id)).all()
    return [(kind, key, (out_dir / path).read_text(encoding="utf-8"), issued_on)
            for kind, key, path, issued_on in rows if issued_on.year == year and (out_dir / path).is_file()]


def runs(docs: list, few: list, threads: int) -> list[dict]:
    """Each engine over the documents, in one process; the baseline first."""
    from weasyprint import HTML

    district = Letterhead.of(read_district_file(get_settings().district_path).identity())
    contexts = [report_context(n) for n in range(1, len(docs) + 1)]
    render("report", contexts[0], district)
    typeset(docs[0][2], docs[0][1], docs[0][3])  # fonts found and templates read once, as in a long-running worker
    HTML(string=docs[0][2]).write_pdf()  # WeasyPrint's fonts and styles loaded once too

    def typst_pool():
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda doc: typeset(doc[2], doc[1], doc[3]), docs))

    return [measured("HTML render (督导报告 from its context), baseline", len(docs),
                     lambda: [render("report", context, district) for context in contexts]),
            measured("HTML -> Typst markup", len(docs), lambda: [markup(d[2], d[1], d[3]) for d in docs]),
            measured("Typst PDF/A-2b (markup + compile)", len(docs), lambda: [typeset(d[2], d[1], d[3]) for d in docs]),
            measured(f"WeasyPrint PDF ({len(few)} documents, a few a kind)", len(few),
                     lambda: [HTML(string=d[2]).write_pdf() for d in few]),
            measured(f"Typst PDF/A-2b, {threads} threads", len(docs), typst_pool)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--weasyprint-per-kind", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    docs = documents(args.year)
    if not docs:
        raise SystemExit(f"no documents under var/out/{args.year}: run `make demo` first")
    by_kind = defaultdict(list)
    for doc in docs:
        by_kind[doc[0]].append(doc)
    few = [doc for kind in sorted(by_kind) for doc in by_kind[kind][:args.weasyprint_per_kind]]
    rows = runs(docs, few, args.threads)
    base = rows[0]["cpu_ms_per_document"]
    print(f"{len(docs)} documents of {len(by_kind)} kinds, var/out/{args.year}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'run':<52}{'docs':>6}{'cpu s':>9}{'ms/doc':>9}{'/s/core':>9}{'wall /s':>9}{'x HTML':>8}")
    for row in rows:
        row["ratio_to_html"] = round(row["cpu_ms_per_document"] / base, 1)
        print(f"{row['label']:<52}{row['documents']:>6}{row['cpu_s']:>9}{row['cpu_ms_per_document']:>9}"
              f"{row['per_core_per_s']:>9}{row['wall_per_s']:>9}{row['ratio_to_html']:>8}")
    typst, weasy = rows[2], rows[3]
    speedup = round(weasy["cpu_ms_per_document"] / typst["cpu_ms_per_document"], 1)
    print(f"Typst is {speedup}x faster than WeasyPrint a document; goal ≥ {GOAL} PDFs/s per core: "
          f"{'met' if typst['per_core_per_s'] >= GOAL else 'NOT met'} ({typst['per_core_per_s']})")
    print(json.dumps({"workload": "render_pdfs", "documents": len(docs), "kinds": len(by_kind), "runs": rows,
                      "typst_over_weasyprint": speedup, "goal_met": typst["per_core_per_s"] >= GOAL,
                      "load_average": round(os.getloadavg()[0], 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
