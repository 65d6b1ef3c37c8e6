"""What operators read in the Prefect UI after a sweep: each report issued today as markdown with links to
its documents, and one table of what moved today and what failed. One task run per day each, whatever
the number of reports (never one task run per row: docs/ARCHITECTURE.md, why Prefect is thin here)."""

from datetime import date
from pathlib import Path
from urllib.parse import quote

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from sqlmodel import Session, func, select

from core.db import session_scope
from core.settings import get_settings
from models import KIND_LABELS, Document, Inspection, Notice, Unit
from tasks.documents.issuing import document_text
from tasks.operator.outbox_report import stuck_notices

FAILED_ROWS = 20
INSPECTION_STEPS = {"term-end", "notify", "feed-back", "issue", "publish", "publication-due", "recheck-or-close"}  # return inspection ids


def document_link(document: Document) -> str:
    """Where an operator opens a document: the served folder when configured, else the file itself."""
    settings = get_settings()
    if settings.documents_url:
        return f"{settings.documents_url.rstrip('/')}/{quote(document.path)}"
    return Path(settings.out_dir / document.path).resolve().as_uri()


def artifact_key(*parts: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    text = "-".join(parts).lower()
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in text).strip("-")


def report_markdown(session: Session, inspection: Inspection) -> str:
    """The report as an operator reads it: heading, facts, the text of the 督导报告, links to the files."""
    unit = session.get(Unit, inspection.unit_id)
    documents = session.exec(select(Document).where(Document.inspection_id == inspection.id).order_by(Document.id)).all()
    report = next((d for d in documents if d.kind == "report"), None)
    lines = [f"# {inspection.year}年{KIND_LABELS.get(inspection.kind, inspection.kind)}报告 · {unit.name}", "",
             "| 项目 | 内容 |", "|---|---|", f"| 编号 | {inspection.code} |",
             f"| 实地督导 | {inspection.visit_on or '—'} |", f"| 出具日期 | {inspection.issued_on or '—'} |",
             f"| 阶段 | {inspection.stage} |", ""]
    text = document_text(session, report.id) if report is not None else None
    if text:
        lines += [line.strip() + "  " for line in text.splitlines()]
    lines += ["", "## 文书", ""] + [f"- [{d.title}]({document_link(d)})" for d in documents]
    lines += ["", f"公开签发：在界面中处理“督导报告公开签发”，或运行 `dudao approve {inspection.code}`。"]
    return "\n".join(lines) + "\n"


@task(name="report-artifacts", task_run_name="督导报告 · {as_of}")
def publish_report_artifacts(inspection_ids: list[int], as_of: date) -> int:
    """One markdown artifact and one link artifact per report issued on `as_of`.

    Args:
        inspection_ids: the inspections whose reports the `issue` step issued.
        as_of: the day of the sweep.

    Returns:
        how many reports were published as artifacts.
    """
    with session_scope() as session:
        for inspection_id in inspection_ids:
            inspection = session.get(Inspection, inspection_id)
            unit = session.get(Unit, inspection.unit_id)
            create_markdown_artifact(report_markdown(session, inspection), key=artifact_key("report", inspection.code),
                                     description=f"督导报告 · {unit.name} · {as_of}")
            report = session.exec(select(Document).where(Document.inspection_id == inspection_id,
                                                         Document.kind == "report")).first()
            if report is not None:
                create_link_artifact(document_link(report), link_text=f"{report.title} · {unit.name}",
                                     key=artifact_key("report", inspection.code, "document"),
                                     description=f"{inspection.code} 督导报告文件")
    return len(inspection_ids)


def codes_of(session: Session, step: str, ids: list[int]) -> str:
    """Readable names of what a step moved: inspection codes, or item numbers for the ladder."""
    if not ids:
        return ""
    if step not in INSPECTION_STEPS:  # items, inspectors, ...: their numbers
        return "、".join(f"#{i}" for i in ids[:10]) + ("…" if len(ids) > 10 else "")
    codes = session.exec(select(Inspection.code).where(Inspection.id.in_(ids[:10])).order_by(Inspection.id)).all()
    return "、".join(codes) + ("…" if len(ids) > 10 else "")


def sweep_rows(session: Session, moved: dict[str, list[int]], delivered: dict[str, int]) -> list[dict]:
    rows = [{"类别": "推进", "项目": step, "数量": len(ids), "明细": codes_of(session, step, ids)}
            for step, ids in moved.items()]
    rows += [{"类别": "投递", "项目": outcome, "数量": count, "明细": ""} for outcome, count in delivered.items()]
    failed_total = session.exec(select(func.count()).where(Notice.status == "failed")).one()
    failed = session.exec(select(Notice).where(Notice.status == "failed").order_by(Notice.id.desc())
                          .limit(FAILED_ROWS)).all()
    rows += [{"类别": "失败通知", "项目": notice.key, "数量": notice.attempts,
              "明细": f"{notice.subject}：{notice.last_error[:200]}"} for notice in failed]
    if failed_total > len(failed):
        rows.append({"类别": "失败通知", "项目": "其余", "数量": failed_total - len(failed), "明细": "见 dudao notices --failed"})
    stuck_total, stuck = stuck_notices(session, get_settings().smtp_max_attempts, FAILED_ROWS)
    rows += [{"类别": "滞留通知", "项目": notice.key, "数量": notice.attempts,
              "明细": f"{notice.subject}：{notice.last_error[:200]}"} for notice in stuck]
    if stuck_total > len(stuck):
        rows.append({"类别": "滞留通知", "项目": "其余", "数量": stuck_total - len(stuck), "明细": "见 dudao notices --stuck"})
    return rows


@task(name="sweep-table", task_run_name="巡检结果 · {as_of}")
def publish_sweep_table(as_of: date, moved: dict[str, list[int]], delivered: dict[str, int]) -> int:
    """The table of the day: what each step moved (with codes), delivery counts, notices that failed.

    Returns:
        how many rows the table has.
    """
    with session_scope() as session:
        rows = sweep_rows(session, moved, delivered)
    create_table_artifact(rows, key="daily-sweep", description=f"{as_of} 巡检结果：推进与失败")
    return len(rows)
