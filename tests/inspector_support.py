"""Helpers for the inspectors' and leadership's portal tests: a world where one inspector (ours) is on some
teams and not on others, with covert visits before, on and after their day, an item waiting for its 回头看 and
a school of his zone; accounts for him, another inspector and a leader; clients signed in as each."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models import Inspector, RectificationItem, Unit
from models.planning import ZoneAssignment
from portal.accounts import add_user
from rules.runtime import load_runtime
from tasks.cycle.opening import open_inspection
from tests.ladder_support import make_items
from tests.portal_support import TODAY, client, csrf_of

PASSWORD = "督学-correct horse 2026"


@dataclass(frozen=True)
class InspectorWorld:
    inspector: str  # our inspector's code (the lead of the make_items teams)
    other_inspector: str  # an inspector on none of our teams
    visit: int  # an annual inspection of S001 on our team, notified, visited today
    theirs: int  # an annual inspection of S002 on the other inspector's team only
    covert_ahead: int  # a covert visit of S003 on our team, ten days ahead
    covert_today: int  # a covert visit of S004 on our team, today
    covert_theirs: int  # a covert visit of S005, visited last week, on the other team
    recheck_item: int  # an accepted item of our team waiting for its 回头看
    zone_school: str  # a school of our inspector's zone


def _open(session, today: date, code: str, kind: str, unit_code: str, visit_in: int, team: list[int],
          stage: str = "") -> int:
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).one()
    inspection = open_inspection(session, code=code, kind=kind, unit=unit, visit_on=today + timedelta(days=visit_in),
                                 team=team, rt=load_runtime(), as_of=today - timedelta(days=60), actor="operator")
    if stage:
        inspection.stage = stage
        session.add(inspection)
    return inspection.id


def make_inspector_world(today: date = TODAY) -> InspectorWorld:
    """The world around `today` (the portal's day: the HTTP tests' fixed one, the served portal's clock)."""
    [item] = make_items("S006", today - timedelta(days=5))
    with session_scope() as session:
        unlisted = session.exec(select(Inspector).where(Inspector.listed.is_(False)).order_by(Inspector.code)).all()
        ours, other = unlisted[0], unlisted[-1]
        accepted = session.get(RectificationItem, item)
        accepted.stage, accepted.accepted_on = "accepted", today - timedelta(days=20)
        accepted.recheck_on = today - timedelta(days=1)
        session.add(accepted)
        school = session.exec(select(Unit).where(Unit.code == "S007")).one()
        session.add(ZoneAssignment(unit_id=school.id, zone="Z01", inspector_id=ours.id, assigned_on=today))
        return InspectorWorld(
            ours.code, other.code,
            _open(session, today, "2026-ZH-901", "annual", "S001", 0, [ours.id, other.id], stage="notified"),
            _open(session, today, "2026-ZH-902", "annual", "S002", 0, [other.id], stage="notified"),
            _open(session, today, "2026-AF-901", "covert", "S003", 10, [ours.id]),
            _open(session, today, "2026-AF-902", "covert", "S004", 0, [ours.id]),
            _open(session, today, "2026-AF-903", "covert", "S005", -7, [other.id]),
            item, school.code)


def add_accounts(world: InspectorWorld) -> None:
    with session_scope() as session:
        add_user(session, "li.ming", "李明", PASSWORD, "inspector", actor="operator", inspector=world.inspector)
        add_user(session, "zhao.gang", "赵刚", PASSWORD, "inspector", actor="operator",
                 inspector=world.other_inspector)
        add_user(session, "chen.lead", "陈领导", PASSWORD, "leader", actor="operator")
        add_user(session, "wang.li", "王丽", PASSWORD, "office", actor="operator")


def account(username: str):
    """A client signed in as `username` (asserting where the sign-in lands)."""
    browser = client()
    csrf = csrf_of(browser.get("/office/signin").text)
    answer = browser.post("/office/signin", data={"csrf": csrf, "username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return browser
