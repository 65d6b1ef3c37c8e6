"""The inspector's forms, each handed to the code path of its command and import, with the inspector's account
as the actor, in the caller's transaction (a refusal writes nothing):

- the on-site visit (现场评分及问题清单: the score sheet and the findings, each with its 整改要求 and 整改期限)
  and 回头看 results become the rows of the matching import (`dudao import findings`, `dudao import recheck`)
  and go through tasks/exchange/imports.apply_table: the same checks, then record_visit and record_scores
  (source on-site), or recheck_item;
- a routine visit (挂牌督导) is checked by tasks/cycle/routine_visits.visit_row and filed by record_visits,
  as `dudao visits import` does.

A problem the import finds names a row and a column; here it names the form's field instead."""

import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from core.errors import InputError
from models import Inspector
from models.planning import RoutineVisit
from portal.guard import SignedInUser
from portal.inspector_views import RecheckView, TeamInspection
from rules.indicators import Framework
from rules.runtime import load_runtime
from rules.scoring import missing_items
from tasks.cycle.routine_visits import record_visits, routine_items, visit_row
from tasks.exchange.imports import ImportRefused, Table, apply_table
from tasks.exchange.imports.sheets import FINDINGS_COLUMNS
from tasks.exchange.imports.steps import RECHECK_COLUMNS

FINDING_FIELDS = ("item", "text", "severity", "requirement", "deadline")
_LETTER = re.compile(r" \([A-Z]+\)$")  # the spreadsheet letter the import adds to a column's header


class FormRefused(Exception):
    """The form cannot be taken; `problems`: one Chinese line each, naming the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class OnsiteForm:
    """What the inspector typed: a score per item of the framework with its 评分说明, and findings (blank rows
    dropped)."""

    scores: dict[str, str] = field(default_factory=dict)
    findings: list[dict[str, str]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


def findings_from(values: dict[str, list[str]]) -> list[dict[str, str]]:
    """The findings rows of the form (parallel lists of fields), the rows left wholly blank dropped."""
    count = max((len(values.get(name, [])) for name in FINDING_FIELDS), default=0)
    rows = [{name: (values.get(name, [])[i] if i < len(values.get(name, [])) else "").strip()
             for name in FINDING_FIELDS} for i in range(count)]
    return [row for row in rows if row["text"] or row["requirement"] or row["deadline"]]


def _problems(refused: ImportRefused, where: dict[int, str]) -> list[str]:
    lines = []
    for problem in refused.problems:
        column = _LETTER.sub("", problem.column or "")
        place = "本次督导" if column == "督导编号" else where.get(problem.row, "表单")
        lines.append(f"{place}，{column}：{problem.reason}" if column else f"{place}：{problem.reason}")
    if refused.total > len(refused.problems):
        lines.append(f"另有 {refused.total - len(refused.problems)} 处问题")
    return lines


def record_onsite(session: Session, user: SignedInUser, team: TeamInspection, framework: Framework | None,
                  form: OnsiteForm, today: date) -> dict:
    """The visit of today: its score sheet and findings through the findings import's checks and writes."""
    scores = {code: value.strip() for code, value in form.scores.items() if value.strip()}
    unscored = sorted(code for code, note in form.notes.items() if note.strip() and code not in scores)
    if unscored:  # the sheet's rows are the scored items: a note on an unscored one would be lost
        raise FormRefused([f"考查要点 {code}，评分说明：评分说明须随该考查要点的得分填写" for code in unscored])
    if framework is not None and (missing := missing_items(framework, scores)):
        raise FormRefused([f"现场评分表：{len(missing)} 个考查要点没有得分：{'、'.join(missing[:12])}"])
    # a form's finding row has no score to stand on: one without its text is named here, not as a blank score
    blank = [f"第 {n} 个问题，发现问题：为空：整改要求或整改期限须随一个发现问题填写"
             for n, finding in enumerate(form.findings, start=1) if not finding["text"]]
    if blank:
        raise FormRefused(blank)
    header = [column.header for column in FINDINGS_COLUMNS]
    lead = {"督导编号": team.inspection.code, "单位代码": team.unit.code}
    rows, where = [], {}
    for code, score in scores.items():
        rows.append({**lead, "指标代码": code, "得分": score, "评分说明": form.notes.get(code, "").strip()})
        where[len(rows) + 1] = f"考查要点 {code}"
    for number, finding in enumerate(form.findings, start=1):
        rows.append({**lead, "指标代码": finding["item"], "发现问题": finding["text"],
                     "问题性质": finding["severity"], "整改要求": finding["requirement"],
                     "整改期限": finding["deadline"]})
        where[len(rows) + 1] = f"第 {number} 个问题"
    if not rows:
        raise FormRefused(["请填写现场评分或至少一个发现问题。"])
    table = Table(file="现场评分及问题清单", encoding="form", header=header,
                  rows=[(n, [row.get(h, "") for h in header]) for n, row in enumerate(rows, start=2)])
    try:
        return apply_table(session, "findings", table, as_of=today, actor=user.actor)
    except ImportRefused as refused:
        raise FormRefused(_problems(refused, where)) from None


def record_recheck_result(session: Session, user: SignedInUser, view: RecheckView, result: str, note: str,
                          today: date) -> dict:
    """One item's 回头看 result (通过 or 反弹, with a note) through the recheck import's checks and writes."""
    header = [column.header for column in RECHECK_COLUMNS]
    row = {"督导编号": view.inspection.code, "问题序号": str(view.finding.seq), "回头看结果": result,
           "复查说明": note.strip()}
    table = Table(file="回头看结果", encoding="form", header=header, rows=[(2, [row.get(h, "") for h in header])])
    try:
        return apply_table(session, "recheck", table, as_of=today, actor=user.actor)
    except ImportRefused as refused:
        raise FormRefused(_problems(refused, {2: f"第 {view.finding.seq} 个问题的回头看"})) from None


def record_routine_visit(session: Session, user: SignedInUser, school: str, visit_on: str,
                         items: dict[str, str], today: date) -> dict:
    """A routine visit of the inspector himself, checked as a line of `dudao visits import` is, then filed."""
    try:
        date.fromisoformat(visit_on.strip())
    except ValueError:
        raise FormRefused([f"挂牌督导记录：督导日期“{visit_on.strip()[:20]}”不是日期（请写作 2026-05-06）"]) from None
    inspector = session.get(Inspector, user.inspector_id)
    raw = {"school": school, "inspector": inspector.code, "visit_on": visit_on, **items}
    try:
        row = visit_row(session, "挂牌督导记录", raw, routine_items(today))
    except InputError as refused:
        raise FormRefused([str(refused)]) from None
    if row.visit_on > today:
        raise FormRefused([f"挂牌督导记录：督导日期 {row.visit_on} 晚于今天（{today}），只能登记已进行的督导"])
    if session.exec(select(RoutineVisit.id).where(RoutineVisit.unit_id == row.unit.id,
                                                  RoutineVisit.inspector_id == inspector.id,
                                                  RoutineVisit.visit_on == row.visit_on)).first():
        raise FormRefused([f"挂牌督导记录：{row.unit.name} {row.visit_on} 的督导记录已登记，不能重复登记"])
    return record_visits(session, [row], load_runtime(), today, actor=user.actor)
