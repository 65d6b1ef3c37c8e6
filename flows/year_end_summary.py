"""year-end-summary: the district's 年度督导报告 with charts, the report to the municipal office, the
commendation list and the results sheets (结果运用), filed once per year, delivered, and summed up as a markdown
artifact."""

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from core import clock
from core.db import session_scope
from core.settings import get_settings
from flows.naming import ledger_district
from models import Document
from rules.runtime import load_runtime
from tasks.mail.delivery import deliver_notices
from tasks.year_end.report import issue_year_end
from tasks.year_end.results import issue_results_sheets


@task(name="issue-year-end-documents", task_run_name="年终文书 · {year}")
def issue_year_end_documents(year: int, as_of: date) -> dict:
    """File the year-end documents and the two results sheets (once per year) and queue their notices.

    Args:
        year: the supervision year summed up.
        as_of: the date the documents bear.

    Returns:
        documents (kind → path), notices queued, the headline numbers and the commended units.
    """
    rt = load_runtime()
    with session_scope() as session:
        result = issue_year_end(session, year, as_of, rt)
        paths = {kind: session.get(Document, doc_id).path for kind, doc_id in result.documents.items()}
        sheets, queued = issue_results_sheets(session, year, as_of, rt)  # 结果运用: to 组织部, 财政局, 人力社保局 …
        paths.update({f"results_{key}": session.get(Document, doc_id).path for key, doc_id in sheets.items()})
        return {"documents": paths, "notices": result.notices + queued, "headline": result.figures.headline(),
                "on_time": result.figures.items_on_time, "items": result.figures.items,
                "commended": [c.unit_name for c in result.commended]}


def summary_markdown(year: int, outcome: dict, district: str) -> str:
    """The artifact operators read: headline numbers, the documents filed, the commended units."""
    lines = [f"# {district}{year}年度教育督导总结", "", "| 指标 | 数量 |", "|---|---:|"]
    lines += [f"| {label} | {value} |" for label, value in outcome["headline"].items()]
    lines += ["", "## 文书", ""] + [f"- {kind}: `{path}`" for kind, path in outcome["documents"].items()]
    lines += ["", f"## 推荐表彰单位（{len(outcome['commended'])}个）", ""]
    lines += [f"- {name}" for name in outcome["commended"]] or ["- （无）"]
    return "\n".join(lines) + "\n"


def summary_year(year: int | None, as_of: date | str | None) -> int:
    """The year summed up: as given, else the year of `as_of` (the schedule passes neither)."""
    if year:
        return int(year)
    return (date.fromisoformat(as_of) if isinstance(as_of, str) else clock.resolve(as_of)).year


def _run_name() -> str:
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    return f"{summary_year(parameters.get('year'), parameters.get('as_of'))}年度督导总结"


@flow(name="year-end-summary", flow_run_name=_run_name)
def year_end_summary(year: int | None = None, as_of: date | None = None, deliver: bool = True) -> dict:
    """Render the year-end documents, deliver them, publish a markdown artifact.

    Args:
        year: the supervision year (default: the year of `as_of`).
        as_of: the date of the documents (default: today in Asia/Shanghai).
        deliver: deliver the outbox afterwards (to SMTP or the Maildir).

    Returns:
        what `issue_year_end_documents` returned, plus delivery counts.
    """
    as_of = clock.resolve(as_of)
    year = summary_year(year, as_of)
    outcome = issue_year_end_documents(year, as_of)
    outcome["delivered"] = deliver_notices(as_of) if deliver else {}
    markdown = summary_markdown(year, outcome, ledger_district() or "")
    create_markdown_artifact(markdown, key=f"year-end-summary-{year}", description=f"{year}年度督导总结")
    get_run_logger().info("year-end %s: %s documents under %s", year, len(outcome["documents"]),
                          get_settings().out_dir)
    return outcome
