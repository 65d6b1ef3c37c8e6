"""Rosters from a file: units (单位名册) and inspectors (督学名册). Each row is validated as an entry of the
district file (tasks.exchange.district_file) and loaded by its loader, so a roster file and `dudao seed` agree.
References (上级单位, 所属镇街, 工作单位) may name units in the file or already in the ledger."""

import re
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import select

from core.toml_input import zh_message
from models import Inspector, Unit
from rules.inspectors import term_problem
from tasks.exchange.district_file import DistrictFile, InspectorEntry, UnitEntry, load_entries
from tasks.exchange.imports.cells import (
    CODE,
    EMAIL,
    Column,
    Row,
    a_date,
    choice,
    clean,
    pattern,
    text,
    whole_number,
    yes_no,
)
from tasks.exchange.imports.context import Context
from tasks.exchange.imports.problems import Problems
from tasks.roster.lookups import record_history
from tasks.roster.team_upkeep import keep_teams_valid

KINDS = {"部门": "department", "镇街": "town", "学校": "school", "机关": "office"}
SCHOOL_TYPES = {"小学": "primary", "初中": "middle", "九年一贯制": "nine_year", "幼儿园": "kindergarten"}
OWNERSHIP = {"公办": "public", "民办": "private"}
_code = pattern(CODE, "代码（如 S001）")
_email = pattern(EMAIL, "电子邮箱地址", upper=False)


def _codes(cell) -> tuple[str, ...]:
    """Unit codes separated by ; (or ；、,): each must look like a code."""
    return tuple(_code(part) for part in re.split(r"[;；、,，]", clean(cell)) if part.strip())



UNIT_COLUMNS = [
    Column("单位代码", "code", _code, hint="如 S061"), Column("单位名称", "name", text(100, multiline=False), hint="全称，不与其他单位重名"),
    Column("单位类别", "kind", choice(KINDS), hint="部门、镇街、学校 或 机关"),
    Column("学段", "school_type", choice(SCHOOL_TYPES), blank_ok=True, hint="学校必填：小学、初中、九年一贯制、幼儿园"),
    Column("办学性质", "ownership", choice(OWNERSHIP), blank_ok=True, hint="公办（默认）或 民办"),
    Column("学生数", "students", whole_number, blank_ok=True),
    Column("上级单位代码", "superior", _code, blank_ok=True, hint="主管部门的单位代码，如 D06"),
    Column("所属镇街代码", "town", _code, blank_ok=True, hint="学校所在镇街的代码，如 T01"),
    Column("电子邮箱", "email", _email, hint="接收督导文书的邮箱"), Column("负责人", "head", text(50, multiline=False), blank_ok=True),
    Column("校长姓名", "principal", text(50, multiline=False), required=False, blank_ok=True, hint="与任期起止日期同填"),
    Column("校长任期开始", "term_start", a_date, required=False, blank_ok=True),
    Column("校长任期结束", "term_end", a_date, required=False, blank_ok=True),
]
INSPECTOR_COLUMNS = [
    Column("督学代码", "code", _code, hint="如 I033"), Column("姓名", "name", text(50, multiline=False)),
    Column("电子邮箱", "email", _email), Column("专职", "full_time", yes_no, blank_ok=True, hint="是 或 否"),
    Column("挂牌督学", "listed", yes_no, blank_ok=True, hint="是 或 否"),
    Column("工作单位代码", "employer", _code, blank_ok=True, hint="督学本人工作单位（用于回避）"),
    Column("聘期开始", "term_start", a_date, hint="如 2026-09-01"), Column("聘期结束", "term_end", a_date),
    Column("连任届数", "consecutive_terms", whole_number, blank_ok=True),
    Column("曾任职单位代码", "former_employers", _codes, required=False, blank_ok=True,
           hint="以分号分隔，如 S001;S002（用于回避）"),
    Column("申报回避单位代码", "conflicts", _codes, required=False, blank_ok=True, hint="本人申报需回避的单位，以分号分隔"),
]
PRINCIPAL_KEYS = ("principal", "term_start", "term_end")


def validate_units(ctx: Context, rows: list[Row], problems: Problems) -> list[UnitEntry]:
    in_ledger = {code: name for code, name in ctx.session.exec(select(Unit.code, Unit.name)).all()}
    known = set(in_ledger) | {row.values["code"] for row in rows if row.good("code")}
    names = {name: code for code, name in in_ledger.items()}
    entries, first_at = [], {}
    for row in rows:
        for key in ("superior", "town"):
            ref = row.values[key]
            if ref is not None and ref not in known:
                problems.add(row.number, row.at(key), f"文件和台账中都没有单位“{ref}”")
        code, name = row.values["code"], row.values["name"]
        if code is None or _repeated(row, code, first_at, problems, "单位"):
            continue
        if name is not None and names.setdefault(name, code) != code:
            problems.add(row.number, row.at("name"), f"“{name}”已是单位 {names[name]} 的名称")
        entry = _unit_entry(row, problems) if row.good() else None
        if entry is not None:
            entries.append(entry)
    return entries


def _repeated(row: Row, code: str, first_at: dict[str, int], problems: Problems, what: str) -> bool:
    if code in first_at:
        problems.add(row.number, row.at("code"), f"{what} {code} 重复（首次在第 {first_at[code]} 行）")
        return True
    first_at[code] = row.number
    return False


def _unit_entry(row: Row, problems: Problems) -> UnitEntry | None:
    values = {k: v for k, v in row.values.items() if v is not None and k not in PRINCIPAL_KEYS}
    given = [row.values[k] is not None for k in PRINCIPAL_KEYS]
    if any(given) and not all(given):
        problems.add(row.number, row.at("principal"),
                     "校长姓名须与任期开始、结束日期同填，或都不填")
        return None
    if all(given):
        values["principal"] = {"name": row.values["principal"], "term_start": row.values["term_start"],
                               "term_end": row.values["term_end"]}
    if values["kind"] == "school" and "school_type" not in values:
        problems.add(row.number, row.at("school_type"), "为空；学校须填写学段")
        return None
    return _validated(UnitEntry, values, row, problems)


@dataclass(frozen=True)
class InspectorRow:
    """An inspector's entry, and the units they must not inspect besides their employer."""

    entry: InspectorEntry
    former_employers: tuple[str, ...]
    conflicts: tuple[str, ...]


REFERENCES = ("employer", "former_employers", "conflicts")


def validate_inspectors(ctx: Context, rows: list[Row], problems: Problems) -> list[InspectorRow]:
    units = set(ctx.session.exec(select(Unit.code)).all())
    entries, first_at = [], {}
    for row in rows:
        for key in REFERENCES:
            codes = row.values.get(key) or ()
            missing = [code for code in ((codes,) if isinstance(codes, str) else codes) if code not in units]
            if missing:
                problems.add(row.number, row.at(key), f"台账中没有单位“{missing[0]}”")
        if row.values["code"] is None or _repeated(row, row.values["code"], first_at, problems, "督学"):
            continue
        if row.good() and (entry := _inspector_entry(ctx, row, problems)) is not None:
            entries.append(InspectorRow(entry, row.values.get("former_employers") or (),
                                        row.values.get("conflicts") or ()))
    return entries


def _inspector_entry(ctx: Context, row: Row, problems: Problems) -> InspectorEntry | None:
    """The row as an entry of the district file, its term checked against the policy (3-year terms, at most 3
    in a row)."""
    values = {k: v for k, v in row.values.items() if v is not None and k not in ("former_employers", "conflicts")}
    entry = _validated(InspectorEntry, values, row, problems)
    problem = entry and term_problem(entry.term_start, entry.term_end, entry.consecutive_terms,
                                     ctx.rt.policy.inspectors)
    if problem:
        problems.add(row.number, row.at("consecutive_terms" if "连任" in problem else "term_end"), problem)
        return None
    return entry


def _validated(model, values: dict, row: Row, problems: Problems):
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            problems.add(row.number, row.at(_key(error["loc"])), zh_message(error))
        return None


def _key(loc: tuple) -> str:
    """The row's key for a validation error's place: a field's own name; the principal's name, start and end
    are their own columns; a check of the whole entry or of the principal (the term's order) is its end."""
    if len(loc) >= 2 and loc[0] == "principal":
        return {"name": "principal"}.get(str(loc[1]), str(loc[1]))
    return "term_end" if not loc or loc[0] == "principal" else str(loc[0])


def apply_units(ctx: Context, entries: list[UnitEntry]) -> dict[str, int]:
    district = DistrictFile.model_construct(schema_version=1, district="import", units=entries, inspectors=[])
    counts = load_entries(ctx.session, district)
    return {"units": counts["units"], "principals": counts["principals"]}


def apply_inspectors(ctx: Context, rows: list[InspectorRow]) -> dict[str, int]:
    """Insert or update each inspector by code, then their employment history and declared conflicts."""
    district = DistrictFile.model_construct(schema_version=1, district="import", units=[],
                                            inspectors=[row.entry for row in rows])
    count = load_entries(ctx.session, district)["inspectors"]
    record_history(ctx.session, [(row.entry.code, row.former_employers, row.conflicts) for row in rows], ctx.as_of)
    codes = [row.entry.code for row in rows]
    ids = list(ctx.session.exec(select(Inspector.id).where(Inspector.code.in_(codes))).all())
    keep_teams_valid(ctx.session, ids, ctx.as_of, actor=ctx.actor)  # a new conflict or term: off future teams
    return {"inspectors": count}
