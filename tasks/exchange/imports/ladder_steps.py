"""约谈记录 after the interviews took place, and 约谈/问责 raised by hand, from a file. Each row goes through the
function the CLI (`dudao interview record|raise`, `dudao accountability raise`) and the simulation call
(tasks.ladder.interviews.record_interview, tasks.ladder.by_hand.raise_interview and raise_accountability),
checked here first with the same rules so that a file with any problem writes nothing."""

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from models import Interview, Unit
from tasks.exchange.imports.cells import CODE, Column, Row, a_date, choice, pattern, text, whole_number
from tasks.exchange.imports.context import Context
from tasks.exchange.imports.problems import Problems
from tasks.ladder.by_hand import (
    accountability_problem,
    interview_problem,
    raise_accountability,
    raise_interview,
    reason_problem,
)
from tasks.ladder.interviews import record_interview, record_problem

RECORD_COLUMNS = [
    Column("约谈编号", "interview", whole_number, hint="约谈通知书所列的约谈编号"),
    Column("被约谈单位"), Column("约谈事由"), Column("约谈地点"), Column("通知约谈日期"),
    Column("实际约谈日期", "held_on", a_date, required=False, blank_ok=True, hint="如 2026-05-06；空着则为通知所定日期"),
    Column("参加人员", "attendees", text(1000), hint="约谈双方参加人员的姓名、职务"),
    Column("约谈情况", "record", text(4000), hint="约谈的主要内容和提出的要求"),
]

INTERVIEW, ACCOUNTABILITY = "interview", "accountability"
REASON_CODE = re.compile(r"^[a-z][a-z_]{0,19}$")
HAND_COLUMNS = [
    Column("类别", "what", choice({"约谈": INTERVIEW, "问责": ACCOUNTABILITY}), hint="约谈 或 问责"),
    Column("单位代码", "unit", pattern(CODE, "单位代码（如 S001）"), hint="被督导单位代码"),
    Column("单位名称"),
    Column("事由代码", "reason", pattern(REASON_CODE, "事由代码（小写英文，如 refusal）", upper=False),
           hint="政策 [hand_raised] 所列事由代码：约谈如 refusal、safety；问责如 obstruction、threats"),
    Column("具体情况", "note", text(2000), required=False, blank_ok=True, hint="事由的具体情况"),
    Column("约谈日期", "on", a_date, required=False, blank_ok=True, hint="约谈必填，今天或以后；问责留空"),
    Column("约谈地点", "place", text(100), required=False, blank_ok=True, hint="约谈可填；空着为政策所定地点"),
]


def validate_records(ctx: Context, rows: list[Row], problems: Problems) -> list[tuple[Interview, Row]]:
    rows = [row for row in rows if row.good("interview")]
    ids = {row.values["interview"] for row in rows}
    known = {i.id: i for i in ctx.session.exec(select(Interview).where(Interview.id.in_(ids))).all()}
    records, first_at = [], {}
    for row in rows:
        interview = known.get(row.values["interview"])
        if interview is None:
            problems.add(row.number, row.at("interview"), f"台账中没有编号为 {row.values['interview']} 的约谈")
        elif interview.id in first_at:
            problems.add(row.number, row.at("interview"), f"约谈 {interview.id} 重复（首次在第{first_at[interview.id]}行）")
        elif row.good():
            first_at[interview.id] = row.number
            problem = record_problem(interview, _held_on(interview, row), row.values["attendees"],
                                     row.values["record"], ctx.as_of)
            if problem:
                problems.add(row.number, row.at("held_on"), problem)
            else:
                records.append((interview, row))
    return records


def _held_on(interview: Interview, row: Row) -> date:
    return row.values["held_on"] or interview.scheduled_on


def apply_records(ctx: Context, records: list[tuple[Interview, Row]]) -> dict[str, int]:
    for interview, row in records:
        record_interview(ctx.session, interview, _held_on(interview, row), row.values["attendees"],
                         row.values["record"], ctx.as_of, actor=ctx.actor)
    return {"interview_records": len(records)}


@dataclass(frozen=True)
class HandRaised:
    unit: Unit
    row: Row


def validate_hand_raised(ctx: Context, rows: list[Row], problems: Problems) -> list[HandRaised]:
    codes = {row.values["unit"] for row in rows if row.good("unit")}
    units = {u.code: u for u in ctx.session.exec(select(Unit).where(Unit.code.in_(codes))).all()
             if u.kind in ("school", "department", "town")}
    raised, accountability_at = [], {}
    for row in rows:
        if not row.good("what", "unit", "reason", "on"):
            continue
        unit = units.get(row.values["unit"])
        if unit is None:
            problems.add(row.number, row.at("unit"), f"单位代码 {row.values['unit']}：台账中没有这个被督导单位")
            continue
        problem, column = _hand_problem(ctx, unit, row, accountability_at)
        if problem:
            problems.add(row.number, row.at(column), problem)
        elif row.good():
            raised.append(HandRaised(unit, row))
    return raised


def _hand_problem(ctx: Context, unit: Unit, row: Row, accountability_at: dict) -> tuple[str | None, str]:
    values = row.values
    if values["what"] == INTERVIEW:
        if values["on"] is None:
            return "约谈须填写约谈日期", "on"
        problem = reason_problem(ctx.rt.policy.hand_raised.interview_reasons, values["reason"], "约谈")
        if problem:
            return problem, "reason"
        return interview_problem(values["reason"], values["on"], ctx.as_of, ctx.rt), "on"
    if values["on"] is not None or values["place"]:
        return "问责不填约谈日期和约谈地点", "on"
    key = (unit.code, values["reason"])
    if key in accountability_at:
        return f"单位 {unit.code} 以同一事由（{values['reason']}）的问责重复（首次在第{accountability_at[key]}行）", "reason"
    accountability_at[key] = row.number
    return accountability_problem(ctx.session, unit, values["reason"], ctx.as_of, ctx.rt), "reason"


def apply_hand_raised(ctx: Context, raised: list[HandRaised]) -> dict[str, int]:
    interviews = accountabilities = 0
    for entry in raised:
        values = entry.row.values
        if values["what"] == INTERVIEW:
            raise_interview(ctx.session, entry.unit, values["reason"], values["note"] or "", values["on"],
                            values["place"], ctx.as_of, ctx.rt, actor=ctx.actor)
            interviews += 1
        else:
            raise_accountability(ctx.session, entry.unit, values["reason"], values["note"] or "", ctx.as_of, ctx.rt,
                                 actor=ctx.actor)
            accountabilities += 1
    return {"interviews": interviews, "accountabilities": accountabilities}
