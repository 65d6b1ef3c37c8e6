"""The self-evaluation's problem list from a file: one row per problem with the unit responsible, the 整改要求
and the 整改期限. Each row goes through tasks.self_evaluation.problems.record_problem (what `dudao self-evaluation
record` calls), checked here first with the same rules so that a file with any problem writes nothing."""

from dataclasses import dataclass

from sqlmodel import select

from models import Unit
from tasks.exchange.imports.cells import CODE, Column, Row, a_date, pattern, text
from tasks.exchange.imports.context import Context
from tasks.exchange.imports.problems import Problems
from tasks.self_evaluation.problems import RESPONSIBLE_KINDS, problem_problem, record_problem

COLUMNS = [
    Column("责任单位代码", "unit", pattern(CODE, "单位代码（如 D06）"), hint="区级部门、镇街或督导机构的单位代码"),
    Column("责任单位名称"),
    Column("问题", "text", text(2000), hint="自查发现或市级反馈的问题"),
    Column("整改要求", "requirement", text(2000), hint="整改措施和要求"),
    Column("整改期限", "deadline", a_date, hint="如 2026-09-30，须晚于导入日"),
]


@dataclass(frozen=True)
class Entry:
    unit: Unit
    row: Row


def validate(ctx: Context, rows: list[Row], problems: Problems) -> list[Entry]:
    codes = {row.values["unit"] for row in rows if row.good("unit")}
    units = {u.code: u for u in ctx.session.exec(select(Unit).where(Unit.code.in_(codes))).all()
             if u.kind in RESPONSIBLE_KINDS}
    entries = []
    for row in rows:
        if not row.good():
            continue
        unit = units.get(row.values["unit"])
        problem = problem_problem(row.values["text"], row.values["requirement"], row.values["deadline"], ctx.as_of)
        if unit is None:
            problems.add(row.number, row.at("unit"), f"单位代码 {row.values['unit']}：台账中没有这个责任单位（区级部门、镇街或督导机构）")
        elif problem:
            problems.add(row.number, row.at("deadline"), problem)
        else:
            entries.append(Entry(unit, row))
    return entries


def apply(ctx: Context, entries: list[Entry]) -> dict[str, int]:
    for entry in entries:
        values = entry.row.values
        record_problem(ctx.session, entry.unit, values["text"], values["requirement"], values["deadline"], ctx.as_of,
                       actor=ctx.actor)
    return {"problems": len(entries)}
