"""What operators read in the Prefect UI after a sweep: each report issued today as markdown with links to
its documents, and one table of what moved today and what failed. One task run per day each, whatever
the number of reports (never one task run per row: docs/ARCHITECTURE.md, why Prefect is thin here)."""

from datetime import date, datetime

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from sqlmodel import Session, select

from core.db import session_scope
from models import KIND_LABELS, Document, Inspection, Unit
from tasks.documents.issuing import document_text
from tasks.operator.links import artifact_key, document_link
from tasks.operator.sweep_table import sweep_markdown, sweep_rows


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


@task(name="sweep-table", task_run_name="巡检结果 · {as_of}")
def publish_sweep_table(as_of: date, moved: dict[str, list[int]], delivered: dict[str, int],
                        since: datetime | None = None) -> int:
    """The table of the day, in Chinese: what each step moved (by name, with links to the day's documents),
    the notices delivered since `since` (the sweep's start) by name, notices that failed or are stuck.

    Returns:
        how many rows the table has.
    """
    with session_scope() as session:
        rows = sweep_rows(session, moved, delivered, as_of, since)
        markdown = sweep_markdown(as_of, rows)
    create_markdown_artifact(markdown, key="daily-sweep", description=f"{as_of} 巡检结果：推进、投递与失败")
    return len(rows)
