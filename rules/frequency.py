"""减频提质: announced inspections of one school in one semester are merged where their kinds allow, and
the number of announced inspections per school per semester is capped (routine, covert and emergency
visits do not count). Pure: the caller gives what is already in the ledger and what it asks for."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

ANNOUNCED = ("annual", "term_end", "special", "random")
PRIORITY = {kind: n for n, kind in enumerate(ANNOUNCED)}  # hosts first; cut last-first when over the cap
# host kind -> kinds one visit of that kind can also cover (the merged visit keeps the host's kind)
ABSORBS = {
    "annual": frozenset({"term_end", "special"}),
    "term_end": frozenset({"special"}),
    "special": frozenset({"special"}),
}
MERGE_REASONS = {
    "term_end": "校长任期结束综合督导并入同学期{host}一并实施",
    "special": "专项督导内容并入同学期{host}一并检查",
}
HOST_LABELS = {"annual": "年度综合督导", "term_end": "校长任期结束综合督导", "special": "专项督导"}


def semester_of(day: date) -> str:
    """'2027-1' spring (February–July), '2027-2' autumn (August–January, January counting to the year before)."""
    if day.month == 1:
        return f"{day.year - 1}-2"
    return f"{day.year}-{1 if day.month <= 7 else 2}"


def semester_label(semester: str) -> str:
    year, half = semester.split("-")
    return f"{year}年{'春季' if half == '1' else '秋季'}学期"


@dataclass(frozen=True)
class Request:
    key: str  # stable and unique, e.g. "term_end:S016" or "inspection:2027-ZH-044"
    unit_id: int
    kind: str
    semester: str
    alternatives: tuple[str, ...] = ()  # semesters it may move to when its own is full
    announced: bool = True  # covert, emergency and routine visits: False (never merged, never counted)
    existing: bool = False  # already in the ledger: counted, never moved
    mergeable: bool = True  # an existing inspection that may still take on more (not yet notified)


@dataclass
class Decision:
    request: Request
    status: str  # scheduled, merged, moved, deferred
    semester: str | None
    host: str | None = None
    reason: str = ""


@dataclass
class _Group:
    hosts: list[Decision] = field(default_factory=list)
    existing: int = 0

    def count(self) -> int:
        return self.existing + sum(1 for d in self.hosts if not d.request.existing)


def plan_frequency(requests: list[Request], cap: int) -> list[Decision]:
    """Decide each new request: scheduled, merged into another, moved to another semester, or deferred."""
    groups: dict[tuple[int, str], _Group] = defaultdict(_Group)
    decisions = []
    for req in sorted(requests, key=_order):
        decision = _place(groups[(req.unit_id, req.semester)], req, req.semester)
        if not req.existing:
            decisions.append(decision)
    for key in sorted(groups):
        _enforce_cap(groups, key, cap)
    _follow_hosts(decisions)
    return decisions


def _follow_hosts(decisions: list[Decision]) -> None:
    """A request merged into a host that was moved or deferred goes where its host went."""
    by_key = {d.request.key: d for d in decisions}
    for d in decisions:
        host = by_key.get(d.host) if d.status == "merged" else None
        while host is not None and host.status == "merged" and host.host in by_key:
            host = by_key[host.host]
            d.host = host.request.key
        if host is not None and host.status in ("moved", "deferred"):
            d.semester = host.semester
            d.status = "merged" if host.status == "moved" else "deferred"
            d.reason += f"；随{HOST_LABELS.get(host.request.kind, '')}{host.reason}"


def _order(req: Request) -> tuple:
    return (req.unit_id, req.semester, not req.existing, PRIORITY.get(req.kind, 99), req.key)


def _place(group: _Group, req: Request, semester: str) -> Decision:
    if not req.announced:
        return Decision(req, "scheduled", semester, reason="不计入督导频次")
    host = next((h for h in group.hosts if h.request.mergeable and req.kind in ABSORBS.get(h.request.kind, ())),
                None)
    if host is not None and not req.existing:
        reason = MERGE_REASONS[req.kind].format(host=HOST_LABELS[host.request.kind])
        return Decision(req, "merged", semester, host=host.request.key, reason=f"{reason}（减频提质）")
    decision = Decision(req, "scheduled", semester)
    if req.existing:
        group.existing += 1
    group.hosts.append(decision)
    return decision


def _enforce_cap(groups: dict, key: tuple[int, str], cap: int) -> None:
    group = groups[key]
    movable = sorted((d for d in group.hosts if not d.request.existing),
                     key=lambda d: (-PRIORITY.get(d.request.kind, 99), d.request.key))
    while group.count() > cap and movable:
        decision = movable.pop(0)
        group.hosts.remove(decision)
        _relocate(groups, decision, cap)


def _relocate(groups: dict, decision: Decision, cap: int) -> None:
    """Move a request cut by the cap to the first alternative semester with room, else defer it."""
    req = decision.request
    for semester in req.alternatives:
        target = groups[(req.unit_id, semester)]
        placed = _place(target, req, semester)
        if placed.status == "merged" or target.count() <= cap:
            decision.status = "merged" if placed.status == "merged" else "moved"
            decision.semester, decision.host = semester, placed.host
            decision.reason = f"{semester_label(req.semester)}已达{cap}次上限，调至{semester_label(semester)}" + (
                f"；{placed.reason}" if placed.reason else "")
            if placed.status != "merged":
                target.hosts[-1] = decision
            return
        target.hosts.remove(placed)
    decision.status, decision.semester = "deferred", None
    decision.reason = f"{semester_label(req.semester)}已达每校每学期{cap}次上限，本年度不再安排（减频提质）"


def counts_by_semester(decisions: list[Decision], existing: dict[tuple[int, str], int]) -> dict:
    """Announced visits per (unit, semester) after the decisions: what the cap is checked against."""
    counts = defaultdict(int, existing)
    for d in decisions:
        if d.request.announced and d.status in ("scheduled", "moved"):
            counts[(d.request.unit_id, d.semester)] += 1
    return dict(counts)
