"""Opening one inspection of any kind with its team (picked by `tasks.roster.teams`): the planner, the special and emergency starts, the
term-end sweep and routine visits all come through here. Covert inspections leave a sealed audit trail."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, func, select

from models import Inspection, InspectionMember, Unit
from models.lifecycles import audit_row, record_rows
from models.queries import insert_rows, rows_by_id
from rules.runtime import Runtime

CODE_LETTERS = {"annual": "ZH", "special": "ZX", "emergency": "TF", "term_end": "RQ", "random": "SJ",
                "covert": "AF", "routine": "JC"}
ANNOUNCED_KINDS = ("annual", "special", "term_end", "random")


def next_code(session: Session, year: int, kind: str) -> str:
    return CodeNumbering(session, year).next(kind)


class CodeNumbering:
    """The next codes of the year's inspections, for a batch opened together: each kind's codes in use are
    counted once, then counted on here. (The count is a scan of every code, the prefix being a LIKE: a plan
    that counted again for each of its thousands of term-end, 双随机 and 暗访 inspections spent a minute on it at
    30,000 schools.)"""

    def __init__(self, session: Session, year: int) -> None:
        self.session, self.year, self.used = session, year, {}

    def next(self, kind: str) -> str:
        prefix = f"{self.year}-{CODE_LETTERS[kind]}-"
        if kind not in self.used:
            self.used[kind] = self.session.exec(select(func.count()).where(Inspection.code.like(f"{prefix}%"))).one()
        self.used[kind] += 1
        return f"{prefix}{self.used[kind]:03d}"


def announced_dates(visit_on: date, rt: Runtime) -> dict:
    """Notice and self-assessment dates that lead up to an announced visit."""
    return {"notice_on": visit_on - timedelta(days=rt.policy.inspection.notice_days_before_visit),
            "self_assessment_due": rt.calendar.add_workdays(
                visit_on, -rt.policy.inspection.self_assessment_workdays_before_visit)}


def open_inspection(session: Session, *, code: str, kind: str, unit: Unit, visit_on: date, team: list[int],
                    rt: Runtime, as_of: date, theme: str | None = None, actor: str = "system",
                    detail: dict | None = None, rectification_due: date | None = None) -> Inspection:
    """Insert the inspection (stage planned) and its team, and append the audit event."""
    return open_inspections(session, [Opening(code=code, kind=kind, unit=unit, visit_on=visit_on, team=team,
                                              theme=theme, actor=actor, detail=detail,
                                              rectification_due=rectification_due)], rt=rt, as_of=as_of)[0]


@dataclass
class Opening:
    """What open_inspections needs to open one inspection."""

    code: str
    kind: str
    unit: Unit
    visit_on: date
    team: list[int]
    theme: str | None = None
    actor: str = "system"
    detail: dict | None = None
    rectification_due: date | None = None  # 整改期限 set by hand (emergency); None: the policy's period


def open_inspections(session: Session, openings: list[Opening], *, rt: Runtime, as_of: date) -> list[Inspection]:
    """Insert the inspections (stage planned) in order, their teams and their plan events: multi-row INSERTs
    for the inspections (ids in the order given) and their teams, the events chained in order. The plan day
    of a large province opens tens of thousands at once: Core rows, then one read of the new inspections,
    cost a fraction of building each as an ORM object and flushing it."""
    if not openings:
        return []
    session.flush()  # what the caller added before (a plan entry) keeps its place in the order of ids
    ids = insert_rows(session, Inspection, [_inspection_row(opening, rt) for opening in openings])
    loaded = rows_by_id(session, Inspection, ids)
    inspections = [loaded[id_] for id_ in ids]
    members, events = [], []
    for opening, inspection in zip(openings, inspections, strict=True):
        members += [{"inspection_id": inspection.id, "inspector_id": inspector_id,
                     "role": "lead" if position == 0 else "member"}
                    for position, inspector_id in enumerate(opening.team)]
        events.append(_plan_event(opening, inspection, rt, as_of))
    connection = session.connection()
    for start in range(0, len(members), 500):
        connection.execute(InspectionMember.__table__.insert(), members[start:start + 500])
    record_rows(session, events)
    return inspections


def _inspection_row(opening: Opening, rt: Runtime) -> dict:
    """The new inspection's columns (every row the same keys, as a multi-row INSERT needs); stage and version
    take the columns' defaults."""
    covert = opening.kind == "covert"
    announced = not covert and opening.kind not in ("emergency", "routine")
    dates = announced_dates(opening.visit_on, rt) if announced else {"notice_on": None, "self_assessment_due": None}
    return {"code": opening.code, "year": opening.visit_on.year, "kind": opening.kind, "unit_id": opening.unit.id,
            "theme": opening.theme, "covert": covert, "visit_on": opening.visit_on,
            "rectification_due": opening.rectification_due, **dates}


def _plan_event(opening: Opening, inspection: Inspection, rt: Runtime, as_of: date) -> dict:
    """The plan event; a covert inspection's is sealed (no visit day, no team) until the visit."""
    sealed = {"covert": True, "sealed_until_visit": True}
    detail = sealed if inspection.covert else {"visit_on": opening.visit_on, "team": opening.team,
                                                "policy": rt.policy.version, **(opening.detail or {})}
    return audit_row("inspection", inspection.id, "plan", as_of=as_of, actor=opening.actor,
                     to_stage=inspection.stage, detail=detail)


def add_theme(inspection: Inspection, addition: str) -> None:
    """A merged request adds what it checks to the host inspection's theme."""
    parts = [p for p in (inspection.theme or "").split("；") if p]
    if addition not in parts:
        inspection.theme = "；".join([*parts, addition])[:200]
