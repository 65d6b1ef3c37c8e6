"""`dudao emergency` runs the whole fast-tracked cycle in the simulation, to the end: visited the day it is
started, reported upward at once, no notice and no self-assessment, short deadlines, rectification, the
回头看 re-check, closed. (tests/test_special_emergency.py follows the same start as far as rectification.)"""

from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models import Inspection, Notice, RectificationItem, SimulationRun
from rules import behaviour
from rules.runtime import load_runtime
from tasks.simulation.days import simulate_day
from tests.conftest import run_cli

DAY = date(2026, 5, 11)
LAST = DAY + timedelta(days=160)  # the 回头看 comes recheck_days (90) after the last acceptance


def test_an_emergency_started_on_the_command_line_runs_until_it_is_closed(seeded, prefect_harness):
    result = run_cli("emergency", "--unit", "S001", "--reason", "学生食物中毒事件", "--as-of", str(DAY),
                     env={"PREFECT_API_URL": prefect_harness})
    assert result.returncode == 0, result.stderr
    rt = load_runtime()
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.kind == "emergency")).one()
        seed = next(s for s in range(1, 100) if behaviour.findings_for(s, inspection.code, "school"))
        session.add(SimulationRun(year=2026, seed=seed, last_day=DAY - timedelta(days=1)))
    stages, day = [], DAY
    while day <= LAST and (not stages or stages[-1] != "closed"):
        with session_scope() as session:
            simulate_day(session, session.get(SimulationRun, 2026), day, rt)
            stage = session.get(Inspection, inspection.id).stage
        if not stages or stages[-1] != stage:
            stages.append(stage)
        day += timedelta(days=1)
    assert stages[0] in ("planned", "onsite") and stages[-1] == "closed", stages
    assert {"rectifying", "recheck"} <= set(stages) and "self_assessment" not in stages
    with session_scope() as session:
        done = session.get(Inspection, inspection.id)
        items = session.exec(select(RectificationItem).where(RectificationItem.inspection_id == done.id)).all()
        kinds = [n.kind for n in session.exec(select(Notice).where(Notice.inspection_id == done.id)).all()]
    assert done.self_assessment_on is None and done.notice_on is None
    assert items and {i.stage for i in items} == {"closed"}
    assert all(i.deadline == done.issued_on + timedelta(days=rt.policy.inspection.emergency_rectification_days) for i in items)
    assert "notice" not in kinds and {"emergency_report", "feedback", "report", "opinion"} <= set(kinds)
