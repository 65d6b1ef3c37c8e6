"""The year-end documents: the district's 年度督导报告 with charts, the report to the municipal office,
and the commendation list (实施方案 §二, §八, §十二). Each is filed and sent once per year (deterministic keys)."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import Document
from models.queries import office
from rules.commendation import Commendation, commendations
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue
from tasks.documents.letterhead import letterhead
from tasks.ladder.summary import sanctioned_units
from tasks.year_end import charts
from tasks.year_end.figures import YearFigures, area_scores, grades, inspection_records, year_figures

UNIT_KIND_LABELS = {"department": "区级部门", "town": "镇街", "school": "学校"}
PROGRESS_COLORS = ["#2e7d32", "#81c784", "#f9a825", "#c00000"]


@dataclass(frozen=True)
class YearEndResult:
    """What the year-end run filed: document ids by kind, and the key numbers for the artifact."""

    documents: dict[str, int]
    notices: int
    figures: YearFigures
    commended: list[Commendation]


def chart_uris(figures: YearFigures, last: YearFigures, scores: list[dict]) -> dict[str, dict]:
    """The report's charts by topic (caption + PNG data URI), numbered in the order the report shows them."""
    made = [("stages", "督导工作进度（按阶段）", lambda: charts.bar_chart(
        figures.inspections_by_stage, title="督导工作进度", ylabel="督导单位数"))]
    if scores:
        made.append(("scores", "各领域督导得分率", lambda: charts.area_scores_chart(
            scores, title="各领域平均得分率（%）：督导评分与单位自评")))
    made += [
        ("findings", "督导发现问题的领域分布", lambda: charts.bar_chart(
            figures.findings_by_area, title="督导发现问题的领域分布", ylabel="问题数")),
        ("progress", "整改事项进度", lambda: charts.stacked_progress(
            figures.items_by_stage, title="整改事项进度", colors=PROGRESS_COLORS)),
        ("ladder", "整改事项逐级督办情况", lambda: charts.bar_chart(
            figures.ladder, title="整改事项逐级督办情况（事项数）", ylabel="事项数", color=charts.RED)),
        ("years", f"{figures.year}年与{figures.year - 1}年对比", lambda: charts.year_against_year(
            figures.headline(), last.headline(), year=figures.year, title="与上年对比")),
    ]
    return {key: {"caption": f"图{n} {caption}", "uri": draw()}
            for n, (key, caption, draw) in enumerate(made, start=1)}


def title_lines(title: str, split_at: str) -> list[str]:
    """A long title in two lines, broken after `split_at` (GB/T 9704: break titles where the sense allows)."""
    head, found, tail = title.partition(split_at)
    return [head + found, tail] if found and tail else [title]


def _common(figures: YearFigures, kind: str, commended: list[Commendation]) -> dict:
    rate = figures.items_on_time / figures.items if figures.items else 1.0
    return {"year": figures.year, "figures": figures, "on_time_rate": f"{rate:.0%}", "commended": commended,
            "unit_kind_labels": UNIT_KIND_LABELS, "doc_no": doc_no(kind, figures.year, 1)}


def _papers(session: Session, year: int, as_of: date, figures: YearFigures,
            commended: list[Commendation]) -> list[Paper]:
    last, scores = year_figures(session, year - 1), area_scores(session, year)
    the_office, municipal = office(session, "OFFICE"), office(session, "MUNICIPAL")
    leadership, committee = office(session, "LEADERSHIP"), office(session, "COMMITTEE")
    district = letterhead(session).name
    annual = {**_common(figures, "annual_report", commended), "last": last,
              "charts": chart_uris(figures, last, scores), "scores": scores, "addressee": leadership.name,
              "copy_to": [committee.name, municipal.name]}
    upward = {**_common(figures, "upward_report", commended), "last": last, "addressee": municipal.name,
              "signer": the_office.head_name,
              "title_lines": title_lines(f"关于{district}{year}年度教育督导工作情况的报告", "教育督导")}
    listing = {**_common(figures, "commendation", commended), "addressee": leadership.name,
               "copy_to": [committee.name],
               "title_lines": title_lines(f"{year}年度教育督导结果优秀单位推荐表彰名单", "优秀单位")}
    return [
        Paper(key=f"year:{year}:annual-report", kind="annual_report", context=annual, issued_on=as_of,
              unit=the_office, title=f"{district}{year}年度教育督导工作报告",
              recipients=[leadership, committee, municipal]),
        Paper(key=f"year:{year}:upward-report", kind="upward_report", context=upward, issued_on=as_of,
              unit=the_office, title=f"关于{district}{year}年度教育督导工作情况的报告", recipients=[municipal]),
        Paper(key=f"year:{year}:commendation", kind="commendation", context=listing, issued_on=as_of,
              unit=the_office, title=f"{year}年度教育督导结果优秀单位推荐表彰名单", recipients=[leadership, committee]),
    ]


def issue_year_end(session: Session, year: int, as_of: date, rt: Runtime, *, max_findings: int = 1
                   ) -> YearEndResult:
    """File the three year-end documents and queue their notices (once per year: re-runs add nothing)."""
    figures = year_figures(session, year)
    records = inspection_records(session, year, grades(session, year, rt.policy.scoring))
    commended = commendations(records, max_findings=max_findings, sanctioned=sanctioned_units(session, year))
    documents, notices = {}, 0
    for paper in _papers(session, year, as_of, figures, commended):
        notices += issue(session, paper) is not None
        documents[paper.kind] = session.exec(select(Document.id).where(Document.key == paper.key)).one()
    return YearEndResult(documents, notices, figures, commended)
