"""Workload (e): rendering 10,000 督导报告 (report) documents with `tasks.documents.rendering.render`, beside a bare
Jinja render of the same template with a ready-made context (baseline).

The reports are of 10,000 generated schools (0–4 findings each, one withdrawn now and then), built as the
sweep builds them (`tasks.cycle.due_steps._issue_report_and_opinion`): model objects, team names, 发文字号, findings.
Measured: (1) rendering HTML and text from a built context as the outbox does (`render` adds the
district's letterhead and defaults and renders both templates); (2) the same plus
writing the HTML file (its text goes to the notice row), as `tasks.documents.issuing.issue_many` does; (3) the baseline: the HTML template alone,
rendered from the same contexts. Building the contexts (model objects as the ledger would load them) is
timed apart. No Prefect here (its share is 0): rendering runs inside the sweep's tasks.
PDFs are apart: bench/render_pdfs.py (Typst, as every document filed gets one, against WeasyPrint).

    .venv/bin/python bench/render_reports.py [--documents 10000]
"""

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import get_settings  # noqa: E402
from models import Finding, Inspection, Unit  # noqa: E402
from rules.behaviour import findings_for  # noqa: E402
from tasks.documents.contexts import doc_no  # noqa: E402
from tasks.documents.letterhead import Letterhead  # noqa: E402
from tasks.documents.rendering import DOCUMENT_TITLES, environment, render  # noqa: E402
from tasks.exchange.district_file import read_district_file  # noqa: E402

TEAM = ["宋杰（示例）", "胡梅伟（示例）", "沈凯玲（示例）"]


def report_context(n: int) -> dict:
    unit = Unit(id=n, code=f"S{n:06d}", name=f"示例第{n}小学", kind="school", email=f"s{n}@example.cn",
                students=400 + n % 2000)
    inspection = Inspection(id=n, code=f"2026-ZH-{n:05d}", year=2026, kind="annual", unit_id=n,
                            visit_on=date(2026, 4, 1), self_assessment_on=date(2026, 3, 25) if n % 5 else None)
    found = [Finding(id=n * 10 + seq, inspection_id=n, seq=seq, area=area, text=text, severity=severity,
                     withdrawn=seq == 1 and n % 9 == 0)
             for seq, (area, text, severity) in enumerate(findings_for(2026, inspection.code, "school"), 1)]
    return {"inspection": inspection, "unit": unit, "kind_label": "综合督导", "team": TEAM,
            "doc_no": doc_no("report", 2026, n), "findings": [f for f in found if not f.withdrawn],
            "withdrawn": [f for f in found if f.withdrawn], "self_assessed": n % 5 != 0,
            "copy_to": ["区教委"], "title": DOCUMENT_TITLES["report"], "issued_on": date(2026, 5, 6)}


def timed(label: str, count: int, fn) -> dict:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    return {"label": label, "documents": count, "seconds": round(seconds, 3),
            "per_second": round(count / seconds), "peak_rss_growth_mb": round(grown, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    count = parser.parse_args().documents
    district = Letterhead.of(read_district_file(get_settings().district_path).identity())
    render("report", report_context(1), district)  # templates compiled once, as in a long-running worker
    out = Path(tempfile.mkdtemp(prefix="dudao-bench-render-"))

    built: list[dict] = []

    def build():
        built.extend(report_context(n) for n in range(1, count + 1))

    def ours():
        for context in built:
            render("report", context, district)

    def ours_with_files():
        for n, context in enumerate(built, start=1):
            html, _ = render("report", context, district)
            path = out / f"S{n % 100:03d}" / f"report-{n}.html"
            path.parent.mkdir(exist_ok=True)
            path.write_text(html, encoding="utf-8")  # one file: the text goes to the notice's row

    template = environment().get_template("documents/report.html")

    def bare():
        for context in built:
            template.render({"authority": district.authority, "district": district, **context,
                             "doc_no": district.doc_no(context["doc_no"])})

    building = timed("building the contexts (model objects, findings)", count, build)
    try:
        rows = [timed("bare Jinja, HTML only, contexts ready (baseline)", count, bare),
                timed("render(): context + HTML + text", count, ours),
                timed("render() + the file written", count, ours_with_files)]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    for row in (building, *rows):
        print(f"{row['label']:<50}{row['seconds']:>8} s{row['per_second']:>8} docs/s"
              f"{row['peak_rss_growth_mb']:>8} MB")
    base = rows[0]["seconds"]
    ratios = {row["label"]: round(row["seconds"] / base, 2) for row in rows[1:]}
    print("ratio to the baseline:", ", ".join(f"{k}: {v}x" for k, v in ratios.items()))
    print(f"goal ≥ 1,000 docs/s (render + files): {'met' if rows[2]['per_second'] >= 1000 else 'NOT met'}")
    print(json.dumps({"workload": "render_reports", "runs": rows, "context_building": building, "ratio_to_bare": ratios,
                      "prefect_share": 0.0, "peak_rss_mb": round(
                          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "goal_met": rows[2]["per_second"] >= 1000},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
