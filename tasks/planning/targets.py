"""What the year's plan asks for, read from the ledger and the policy: 督政 of every department and town,
schools due on their rotation, principals at term end, private schools, quality-monitoring samples, the
双随机 draw (published seed) and the 暗访 draw (sealed seed). Nothing is written here."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import Inspection, Unit, UnitKind
from models.planning import SchoolRotation
from rules.frequency import Request, semester_of
from rules.rotation import rotation_due
from rules.runtime import Runtime
from rules.selection import draw
from tasks.cycle.opening import ANNOUNCED_KINDS
from tasks.planning.term_end import comprehensive_visits, covers, planned_among, principals_due

MONITORED_TYPES = ("primary", "middle", "nine_year")  # 义务教育质量监测: compulsory-education schools


@dataclass(frozen=True)
class Target:
    key: str
    kind: str
    unit: Unit
    reason: str
    semester: str
    alternatives: tuple[str, ...] = ()
    theme: str | None = None
    principal_id: int | None = None
    term_end: date | None = None
    announced: bool = True

    def request(self) -> Request:
        return Request(key=self.key, unit_id=self.unit.id, kind=self.kind, semester=self.semester,
                       alternatives=self.alternatives, announced=self.announced)


def spring(year: int) -> str:
    return f"{year}-1"


def autumn(year: int) -> str:
    return f"{year}-2"


def plan_targets(session: Session, year: int, rt: Runtime, seed: int, covert_seed: int) -> list[Target]:
    """Every target of the year, in a canonical order (kind, then unit code)."""
    units = session.exec(select(Unit).where(Unit.kind.in_(
        (UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.SCHOOL))).order_by(Unit.code)).all()
    schools = [u for u in units if u.kind == UnitKind.SCHOOL]
    return [*_annual(session, units, schools, year, rt), *_term_end(session, year, rt),
            *_private(schools, year, rt), *_random(schools, year, rt, seed), *_covert(schools, year, rt, covert_seed)]


def _annual(session: Session, units: list[Unit], schools: list[Unit], year: int, rt: Runtime) -> list[Target]:
    if rt.policy.planning.schools_every_year:
        due = {s.code: "年度综合督导（全部学校纳入年度督导：planning.schools_every_year）" for s in schools}
    else:
        last = {code: (on, years) for code, on, years in session.exec(
            select(Unit.code, SchoolRotation.last_comprehensive_on, SchoolRotation.rotation_years).join(
                SchoolRotation, SchoolRotation.unit_id == Unit.id)).all()}
        due = rotation_due([s.code for s in schools], last, year, rt.policy.planning.rotation_years)
    targets = []
    for unit in units:
        reason = "督政：履行教育职责评价（年度综合督导）" if unit.kind != UnitKind.SCHOOL else due.get(unit.code)
        if reason:
            targets.append(Target(f"annual:{unit.code}", "annual", unit, reason, spring(year)))
    return targets


def _term_end(session: Session, year: int, rt: Runtime) -> list[Target]:
    autumn_from, _ = rt.policy.planning.autumn_window(year)
    targets, due = [], principals_due(session, year)
    # in a query a batch, not two a principal: a sixth of a province's 30,000 principals end a term each year
    planned = planned_among(session, [principal.id for principal, _ in due])
    visits = comprehensive_visits(session, [unit.id for _, unit in due])
    for principal, unit in due:
        if principal.id in planned or covers(visits.get(unit.id, []), principal.term_end, rt):
            continue
        semester = spring(year) if principal.term_end < autumn_from else autumn(year)
        other = autumn(year) if semester == spring(year) else spring(year)
        targets.append(Target(f"term_end:{principal.id}", "term_end", unit,
                              f"校长{principal.name}任期{principal.term_end}届满（方案第五条）", semester, (other,),
                              theme=f"校长{principal.name}任期结束综合督导", principal_id=principal.id,
                              term_end=principal.term_end))
    return targets


def _private(schools: list[Unit], year: int, rt: Runtime) -> list[Target]:
    theme = rt.policy.planning.private_theme
    return [Target(f"special:{s.code}", "special", s, "民办学校全方位督导（方案第五条）", spring(year),
                   (autumn(year),), theme=theme) for s in schools if s.ownership == "private"]


def _random(schools: list[Unit], year: int, rt: Runtime, seed: int) -> list[Target]:
    by_code = {s.code: s for s in schools}
    drawn = draw(seed, f"{year}:random", list(by_code), rt.policy.planning.random_schools)
    return [Target(f"random:{code}", "random", by_code[code], f"双随机抽取（第{n}位）", autumn(year),
                   (spring(year),)) for n, code in enumerate(drawn, start=1)]


def _covert(schools: list[Unit], year: int, rt: Runtime, covert_seed: int) -> list[Target]:
    by_code = {s.code: s for s in schools}
    drawn = draw(covert_seed, f"{year}:covert", list(by_code), rt.policy.planning.covert_visits)
    return [Target(f"covert:{code}", "covert", by_code[code], "暗访", spring(year) if n % 2 == 0 else autumn(year),
                   announced=False) for n, code in enumerate(drawn)]


def monitoring_samples(session: Session, year: int, rt: Runtime, seed: int) -> list[Unit]:
    """Sample schools for the national/municipal quality monitoring, drawn with the published seed."""
    schools = session.exec(select(Unit).where(Unit.kind == UnitKind.SCHOOL,
                                              Unit.school_type.in_(MONITORED_TYPES))).all()
    by_code = {s.code: s for s in schools}
    return [by_code[c] for c in draw(seed, f"{year}:monitoring", list(by_code), rt.policy.planning.monitoring_samples)]


def existing_requests(session: Session, year: int) -> tuple[list[Request], dict[str, Inspection]]:
    """The year's announced inspections already in the ledger: counted against the cap, and hosts for
    merging while still only planned (not yet announced to the unit)."""
    rows = session.exec(select(Inspection).where(
        Inspection.year == year, Inspection.kind.in_(ANNOUNCED_KINDS), Inspection.covert.is_(False)).order_by(
        Inspection.code)).all()
    requests = [Request(key=f"inspection:{i.code}", unit_id=i.unit_id, kind=i.kind, semester=semester_of(i.visit_on),
                        existing=True, mergeable=i.stage == "planned") for i in rows if i.visit_on]
    return requests, {f"inspection:{i.code}": i for i in rows}


def without_existing_annual(targets: list[Target], existing: dict[str, Inspection]) -> list[Target]:
    """A unit whose annual inspection is already open keeps it: the plan's annual target is that one."""
    have = {i.unit_id for i in existing.values() if i.kind == "annual"}
    return [t for t in targets if not (t.kind == "annual" and t.unit.id in have)]
