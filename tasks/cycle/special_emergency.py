"""Inspections started by hand: special (a theme across many units) and emergency (a unit and an incident,
fast track: no notice, no self-assessment, visited at once, short deadlines, reported upward at once)."""

import logging
from datetime import date, timedelta

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from core.errors import InputError
from core.lang import say
from models import KIND_LABELS, Inspection, Unit, UnitKind
from models.planning import PlanEntry
from models.queries import office
from rules.emergency_deadline import deadline_problem
from rules.frequency import Decision, Request, plan_frequency, semester_of
from rules.runtime import Runtime
from rules.text_input import control_problem
from tasks.cycle.opening import add_theme, next_code, open_inspection
from tasks.documents.contexts import doc_no, team_names
from tasks.documents.issuing import Paper, issue
from tasks.planning.targets import existing_requests
from tasks.roster.lookups import candidates, find_unit
from tasks.roster.teams import choose_team, team_size, year_load

INSPECTABLE = (UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.SCHOOL)
logger = logging.getLogger(__name__)
NOT_BLANK = {"pattern": r"\S"}  # the UI's form (JSON schema) refuses a text of spaces before a run exists


class SpecialInspectionInput(BaseModel):
    """专项督导: a theme and the units it covers (names or codes)."""

    theme: str = Field(min_length=1, max_length=100, json_schema_extra=NOT_BLANK, title="督导主题",
                       description="督导主题，如“校园安全”“课后服务”（不能为空）")
    units: list[str] = Field(min_length=1, title="被督导单位", description="被督导单位（从列表选择，可多选）")
    as_of: date | None = Field(default=None, title="发起日期", description="发起日期（留空为今天）")

    @field_validator("theme")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(say("督导主题不能为空", "the theme is empty"))
        if problem := control_problem(value.strip()):  # the one rule of every text input (rules.text_input)
            raise ValueError(f"督导主题{problem}")
        return value.strip()


class EmergencyInspectionInput(BaseModel):
    """重大教育突发事件督导: the unit, what happened, the day, and (optionally) the rectification deadline."""

    unit: str = Field(min_length=1, json_schema_extra=NOT_BLANK, title="被督导单位",
                      description="被督导单位（从列表选择）")
    reason: str = Field(min_length=1, max_length=500, json_schema_extra=NOT_BLANK, title="突发事件情况",
                        description="发生了什么（不能为空，500字以内）")
    as_of: date | None = Field(default=None, title="发起日期", description="发起日期（留空为今天）")
    deadline: date | None = Field(default=None, title="整改期限",
                                  description="整改期限（默认：督导意见书下发后按政策天数）；须晚于督导意见书最早下发日")

    @field_validator("unit", "reason")
    @classmethod
    def _not_blank(cls, value: str, info) -> str:
        if not value.strip():
            raise ValueError(say(f"{_FIELD_NAMES[info.field_name]}不能为空", f"the {info.field_name} is empty"))
        if problem := control_problem(value.strip(), multiline=info.field_name == "reason"):
            raise ValueError(f"{_FIELD_NAMES[info.field_name]}{problem}")
        return value.strip()


_FIELD_NAMES = {"unit": "被督导单位", "reason": "突发事件情况"}


def resolve_units(session: Session, names: list[str]) -> list[Unit]:
    """Each named unit, or InputError naming the first unknown, duplicate or non-inspectable one."""
    units, seen = [], set()
    for n, name in enumerate(names, start=1):
        where = say(f"第 {n} 个单位“{name}”", f"unit {n} ('{name}')")
        unit = find_unit(session, name, where=where)
        if unit.kind not in INSPECTABLE or unit.id in seen:
            twice = unit.id in seen
            raise InputError(f"{where}：" + (say("重复", "named twice") if twice else say("不是督导对象", "is not inspected")))
        seen.add(unit.id)
        units.append(unit)
    return units


def start_special(session: Session, request: SpecialInspectionInput, rt: Runtime, as_of: date) -> dict:
    """Open the special inspections (merged into a still-unannounced inspection of the same semester where
    the kinds allow; moved or deferred by the cap). Returns codes by outcome."""
    units = resolve_units(session, request.units)
    first_visit = rt.calendar.next_workday(as_of + timedelta(days=rt.policy.inspection.notice_days_before_visit))
    year, semester = first_visit.year, semester_of(first_visit)
    later = semester_of(first_visit + timedelta(days=183))
    requests, existing = existing_requests(session, year)
    asked = [Request(key=f"special:{u.code}", unit_id=u.id, kind="special", semester=semester,
                     alternatives=(later,) if later.startswith(str(year)) else ()) for u in units]
    decisions = plan_frequency([*requests, *asked], rt.policy.frequency.cap_per_semester)
    by_id = {u.id: u for u in units}
    outcome: dict[str, list[str]] = {"opened": [], "merged": [], "deferred": []}
    load, pool = year_load(session, year), candidates(session)
    for n, decision in enumerate(decisions):
        unit = by_id[decision.request.unit_id]
        host = existing.get(decision.host) if decision.status == "merged" else None
        if host is not None:
            add_theme(host, f"专项督导：{request.theme}")
            session.add(host)
        elif decision.status in ("scheduled", "moved"):
            visit_on = _special_day(first_visit, decision, n, rt)
            host = open_inspection(session, code=next_code(session, year, "special"), kind="special", unit=unit,
                                   visit_on=visit_on, rt=rt, as_of=as_of, theme=request.theme, actor="operator",
                                   team=choose_team(pool, unit, team_size("special", rt), load, visit_on))
        outcome["opened" if decision.status in ("scheduled", "moved") else decision.status].append(unit.code)
        session.add(PlanEntry(year=year, key=f"{year}:special:{unit.code}:{host.code if host else as_of}",
                              unit_id=unit.id, kind="special", reason=f"专项督导：{request.theme}",
                              theme=request.theme, status=decision.status, semester=decision.semester,
                              note=decision.reason, inspection_id=host.id if host else None))
    return {"theme": request.theme, **outcome}


def _special_day(first_visit: date, decision: Decision, n: int, rt: Runtime) -> date:
    """Three units a working day from the first possible visit; a moved one from its new semester's start."""
    if decision.status == "moved":
        from tasks.planning.year_plan import semester_days

        first_visit = semester_days(rt, decision.semester)[0]
    return rt.calendar.add_workdays(rt.calendar.next_workday(first_visit), n // 3)


def start_emergency(session: Session, request: EmergencyInspectionInput, rt: Runtime, as_of: date) -> Inspection:
    """Open the emergency inspection (visited at once, no notice) and report it upward the same day.

    Raises:
        InputError: an unknown unit, or a deadline that leaves no time (checked before anything is written).
    """
    unit = resolve_units(session, [request.unit])[0]
    visit_on = rt.calendar.next_workday(as_of) if not rt.calendar.is_workday(as_of) else as_of
    if request.deadline is not None:
        problem = deadline_problem(request.deadline, as_of=as_of, visit_on=visit_on, calendar=rt.calendar,
                                   policy=rt.policy.inspection)
        if problem:
            raise InputError(problem)
    team = choose_team(candidates(session), unit, team_size("emergency", rt), year_load(session, as_of.year),
                       visit_on)
    inspection = open_inspection(session, code=next_code(session, visit_on.year, "emergency"), kind="emergency",
                                 unit=unit, visit_on=visit_on, team=team, rt=rt, as_of=as_of, actor="operator",
                                 theme=request.reason[:200], rectification_due=request.deadline,
                                 detail={"reason": request.reason, **_deadline_detail(request)})
    session.add(PlanEntry(year=visit_on.year, key=f"{visit_on.year}:emergency:{inspection.code}", unit_id=unit.id,
                          kind="emergency", reason="重大教育突发事件督导", theme=request.reason[:200],
                          status="scheduled", semester=semester_of(visit_on), inspection_id=inspection.id))
    _report_upward(session, inspection, unit, request.reason, as_of)
    logger.info("突发事件督导 %s（%s）已开启：实地督导 %s；情况报告已报市政府教育督导室和区领导，在发件箱中待投递",
                inspection.code, unit.name, visit_on)
    return inspection


def _deadline_detail(request: EmergencyInspectionInput) -> dict:
    return {} if request.deadline is None else {"deadline": request.deadline}


def _report_upward(session: Session, inspection: Inspection, unit: Unit, reason: str, as_of: date) -> None:
    seq = int(inspection.code.rsplit("-", 1)[-1])
    context = {"inspection": inspection, "unit": unit, "reason": reason, "team": team_names(session, inspection),
               "kind_label": KIND_LABELS["emergency"],
               "doc_no": doc_no("emergency_report", inspection.year, seq)}
    upward = [office(session, "MUNICIPAL"), office(session, "LEADERSHIP")]
    context["addressee"] = "，".join(u.name for u in upward)
    issue(session, Paper(key=f"inspection:{inspection.code}:emergency_report", kind="emergency_report",
                         context=context, issued_on=as_of, unit=unit, inspection_id=inspection.id,
                         title="重大教育突发事件督导情况报告", recipients=upward))
