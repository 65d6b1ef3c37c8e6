"""Make the year's plan in one transaction: targets → 减频提质 (merge, cap) → teams → inspections, plan
entries, zones, the plan row. Any unit without a valid team raises InputError and nothing is written."""

import secrets
from datetime import date

from sqlmodel import Session, func, select

from core.errors import InputError
from models import Inspection, Inspector, Unit
from models.planning import AnnualPlan, PlanEntry, SchoolRotation
from rules.assignment import Candidate, TeamPicker, eligible_for
from rules.frequency import Decision, plan_frequency, semester_of
from rules.runtime import Runtime
from rules.selection import DrawTooSmall, draw_team, rank, seed_from_text
from tasks.cycle.annual_openings import open_annual_inspections, workdays_between
from tasks.cycle.opening import CodeNumbering, Opening, add_theme, open_inspections
from tasks.documents.letterhead import letterhead
from tasks.planning.targets import (
    Target,
    existing_requests,
    monitoring_samples,
    plan_targets,
    without_existing_annual,
)
from tasks.roster.lookups import candidates as roster_candidates
from tasks.roster.teams import pick_team, team_size, year_load

KIND_ORDER = {"annual": 0, "term_end": 1, "special": 2, "random": 3, "covert": 4}
# A province's plan has ~27,000 entries; held pending until one flush at the end, they and that flush took the
# year's process to its high-water mark (233 MB of Python objects for 30,000 schools; 2.4 KB a pending entry).
ENTRIES_A_FLUSH = 1000


def resolve_seed(year: int, seed: int | None, district: str) -> tuple[int, str]:
    """The draw's seed and where it came from; by default derived from a public text anyone can hash (naming
    the district and the year)."""
    if seed is not None:
        return seed, "操作员指定的公开数值"
    text = f"{district}{year}年度教育督导双随机抽取"
    return seed_from_text(text), f"由公开字符串“{text}”的SHA-256摘要前15位十六进制数派生（模10^12）"


def make_plan(session: Session, *, year: int, rt: Runtime, as_of: date, seed: int | None = None,
              covert_seed: int | None = None) -> AnnualPlan:
    """The year's plan, made once; asking again returns it (a different seed is refused)."""
    plan = session.get(AnnualPlan, year)
    if plan is not None:
        if seed is not None and seed != plan.seed:
            raise InputError(f"{year} 年度计划已于 {plan.planned_on} 以种子 {plan.seed} 抽取，"
                             f"不能再以种子 {seed} 重新抽取")
        return plan
    seed, source = resolve_seed(year, seed, letterhead(session).name)
    covert_seed = secrets.randbits(48) if covert_seed is None else covert_seed
    refresh_rotation(session, before=date(year, 1, 1))
    targets = plan_targets(session, year, rt, seed, covert_seed)
    requests, existing = existing_requests(session, year)
    targets = without_existing_annual(targets, existing)
    decisions = plan_frequency([*requests, *(t.request() for t in targets)], rt.policy.frequency.cap_per_semester)
    opened = _open_all(session, targets, decisions, year, rt, as_of, (seed, covert_seed))
    hosts = {**existing, **opened}
    _record_entries(session, year, targets, decisions, hosts)
    _record_existing_annual(session, year, existing)
    for unit in monitoring_samples(session, year, rt, seed):
        session.add(PlanEntry(year=year, key=f"{year}:monitoring:{unit.code}", unit_id=unit.id, kind="monitoring",
                              reason="义务教育质量监测样本校（双随机抽取，不计入督导频次）", status="listed"))
    plan = AnnualPlan(year=year, seed=seed, seed_source=source, covert_seed=covert_seed, planned_on=as_of,
                      policy_version=rt.policy.version)
    session.add(plan)
    session.flush()
    return plan


def _open_all(session: Session, targets: list[Target], decisions: list[Decision], year: int, rt: Runtime,
              as_of: date, seeds: tuple[int, int]) -> dict[str, Inspection]:
    by_key = {t.key: t for t in targets}
    placed = [d for d in decisions if d.status in ("scheduled", "moved")]
    load = year_load(session, year)
    annual_units = {by_key[d.request.key].unit.id for d in placed if d.request.kind == "annual"}
    opened = {f"annual:{session.get(Unit, i.unit_id).code}": i for i in open_annual_inspections(
        session, year=year, rt=rt, as_of=as_of, unit_ids=annual_units, load=load)}
    others = sorted((d for d in placed if d.request.kind != "annual"),
                    key=lambda d: (KIND_ORDER[d.request.kind], d.semester, d.request.key))
    days = _visit_days(rt, [(by_key[d.request.key], d.semester) for d in others], seeds[1])
    # Opened together and numbered once a kind, as the annual ones: opened one by one (a flush, an INSERT and a
    # read back each) and numbered by a count of the year's codes each, a province's thousands took the plan minutes.
    pool, numbering = roster_candidates(session), CodeNumbering(session, year)
    picker, codes = TeamPicker(pool, load), _InspectorCodes(session)
    openings = []
    for d in others:
        target, visit_on = by_key[d.request.key], days[d.request.key]
        team = _team(target, visit_on, pool, picker, codes, rt, seeds[0])
        openings.append(Opening(code=numbering.next(target.kind), kind=target.kind, unit=target.unit,
                                visit_on=visit_on, team=team, theme=target.theme))
    opened.update(zip([d.request.key for d in others], open_inspections(session, openings, rt=rt, as_of=as_of),
                      strict=True))
    return opened


class _InspectorCodes:
    """Inspectors' codes by id and ids by code, read on the first 双随机 draw and kept for the plan's others."""

    def __init__(self, session: Session) -> None:
        self.session, self.code_of, self.id_of = session, {}, {}

    def read(self) -> "_InspectorCodes":
        if not self.code_of:
            self.code_of = dict(self.session.exec(select(Inspector.id, Inspector.code)).all())
            self.id_of = {code: id_ for id_, code in self.code_of.items()}
        return self


def _team(target: Target, visit_on: date, pool: list[Candidate], picker: TeamPicker, codes: _InspectorCodes,
          rt: Runtime, seed: int) -> list[int]:
    """The least loaded valid team (one picker over the plan's units picks the teams a picker each would), or
    for a 双随机 inspection a team drawn with the published seed."""
    size = team_size(target.kind, rt)
    if target.kind != "random":
        return pick_team(picker, target.unit, size, visit_on)
    codes = codes.read()
    eligible = [codes.code_of[i] for i in eligible_for(pool, target.unit.id, visit_on)]
    try:
        drawn = draw_team(seed, f"{visit_on.year}:{target.unit.code}", eligible, size)
    except DrawTooSmall:
        raise InputError(f"{visit_on} 无法为 {target.unit.name}（{target.unit.code}）组成督导组："
                         f"无利益冲突且在任的督学 {len(eligible)} 名，需要 {size} 名") from None
    team = [codes.id_of[c] for c in drawn]
    picker.load.update(team)
    return team


def _visit_days(rt: Runtime, placed: list[tuple[Target, str]], covert_seed: int) -> dict[str, date]:
    """Spread each kind's visits over its semester's window; a term-end visit lands before the term ends;
    a covert day comes from the sealed draw."""
    groups: dict[tuple[str, str], list[Target]] = {}
    for target, semester in placed:
        groups.setdefault((target.kind, semester), []).append(target)
    days = {}
    for (kind, semester), members in groups.items():
        window = semester_days(rt, semester)
        for n, target in enumerate(members):
            if kind == "term_end" and target.term_end is not None:
                before = [d for d in window if d <= target.term_end] or window[:1]
                days[target.key] = before[max(0, len(before) - 1 - n % 5)]
            elif kind == "covert":
                days[target.key] = covert_day(window, covert_seed, target.unit.code)
            else:
                days[target.key] = window[n * len(window) // len(members)]
    return days


def covert_day(window: list[date], covert_seed: int, code: str) -> date:
    return window[int(rank(covert_seed, "day", code)[:8], 16) % len(window)]


def semester_days(rt: Runtime, semester: str) -> list[date]:
    year, half = (int(p) for p in semester.split("-"))
    start, end = rt.policy.annual.window(year) if half == 1 else rt.policy.planning.autumn_window(year)
    return workdays_between(rt, start, end)


def _record_entries(session: Session, year: int, targets: list[Target], decisions: list[Decision],
                    hosts: dict[str, Inspection]) -> None:
    by_key = {t.key: t for t in targets}
    for n, d in enumerate(decisions, start=1):
        if n % ENTRIES_A_FLUSH == 0:  # flushed, an entry is held only weakly by the session, and freed
            session.flush()
        target = by_key[d.request.key]
        inspection = hosts.get(d.host if d.status == "merged" else target.key)
        if d.status == "merged" and inspection is not None:
            add_theme(inspection, target.theme or target.reason)
            session.add(inspection)
        session.add(PlanEntry(year=year, key=f"{year}:{target.key}", unit_id=target.unit.id, kind=target.kind,
                              reason=target.reason, theme=target.theme, covert=target.kind == "covert",
                              status=d.status, semester=d.semester, note=d.reason,
                              inspection_id=inspection.id if inspection and d.status != "deferred" else None,
                              principal_id=target.principal_id))


def _record_existing_annual(session: Session, year: int, existing: dict[str, Inspection]) -> None:
    for inspection in existing.values():
        if inspection.kind == "annual":
            unit = session.get(Unit, inspection.unit_id)
            session.add(PlanEntry(year=year, key=f"{year}:annual:{unit.code}", unit_id=unit.id, kind="annual",
                                  reason="年度综合督导（计划编制前已安排）", status="scheduled",
                                  semester=semester_of(inspection.visit_on), inspection_id=inspection.id))


def refresh_rotation(session: Session, before: date) -> int:
    """Record each school's latest visited comprehensive inspection before `before` (the rotation's memory).
    Returns how many schools' records moved."""
    rows = session.exec(select(Inspection.unit_id, func.max(Inspection.visit_on)).join(
        Unit, Inspection.unit_id == Unit.id).where(
        Unit.kind == "school", Inspection.kind.in_(("annual", "term_end")), Inspection.covert.is_(False),
        Inspection.visit_on < before, Inspection.stage.not_in(("planned", "notified", "self_assessment")),
    ).group_by(Inspection.unit_id)).all()
    moved = 0
    for unit_id, visited in rows:
        rotation = session.get(SchoolRotation, unit_id) or SchoolRotation(unit_id=unit_id)
        if rotation.last_comprehensive_on is None or rotation.last_comprehensive_on < visited:
            rotation.last_comprehensive_on = visited
            session.add(rotation)
            moved += 1
    session.flush()
    return moved
