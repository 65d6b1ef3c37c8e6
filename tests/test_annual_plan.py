"""The annual plan on the sample district: targets, merges, teams, the published draw, the document to the
municipal office, and bad input (no valid team) refused with nothing written."""

import json
from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.event import listen as event_listen
from sqlalchemy.event import remove as event_remove
from sqlmodel import func, select

from core.db import get_engine, session_scope
from core.errors import InputError
from models import Document, Inspection, InspectionMember, Inspector, Notice, Unit
from models.planning import AnnualPlan, InspectorConflict, PlanEntry
from rules.frequency import semester_of
from rules.runtime import load_runtime
from tasks.documents.issuing import document_text
from tasks.planning.plan_document import plan_view
from tasks.planning.year_plan import make_plan
from tasks.roster.lookups import candidates, conflicts_by_inspector
from tasks.roster.zones import assign_zones, ratio_report
from tests.conftest import run_cli

AS_OF = date(2027, 1, 4)
ANNOUNCED = ("annual", "term_end", "special", "random")


def _draw_up(seed=None, covert_seed=7):
    from flows.annual_plan import draw_up_plan

    return draw_up_plan(2027, AS_OF, seed, covert_seed)


def _dry_run(seed):
    with session_scope() as session:
        make_plan(session, year=2027, rt=load_runtime(), as_of=AS_OF, seed=seed, covert_seed=1)
        view = plan_view(session, 2027, AS_OF)
        session.rollback()
    return view


def assert_plan_invariants(session, rt) -> None:
    """Every team recuses, is big enough and serves on its visit day; no school over the cap."""
    conflicts = conflicts_by_inspector(session)
    serving = {c.inspector_id: c for c in candidates(session)}
    per_semester = Counter()
    for inspection in session.exec(select(Inspection).where(Inspection.year >= 2027)).all():
        team = session.exec(select(InspectionMember.inspector_id).where(
            InspectionMember.inspection_id == inspection.id)).all()
        assert len(team) >= (2 if inspection.covert else rt.policy.inspection.team_min), inspection.code
        for inspector_id in team:
            assert inspection.unit_id not in conflicts.get(inspector_id, set()), inspection.code
            assert serving[inspector_id].serves_on(inspection.visit_on), inspection.code
        if inspection.kind in ANNOUNCED:
            per_semester[(inspection.unit_id, semester_of(inspection.visit_on))] += 1
    assert max(per_semester.values()) <= rt.policy.frequency.cap_per_semester


def test_the_2027_plan_of_the_sample_district(seeded):
    result = _draw_up()
    plan = result["plan"]
    kinds = Counter((t["kind"], t["unit_kind"]) for t in plan["targets"])
    assert kinds[("annual", "department")] == 28 and kinds[("annual", "town")] == 15
    assert kinds[("annual", "school")] == 20  # a third of the 60 schools: 3-year rotation spread by code
    assert kinds[("random", "school")] == 6 and all(len(t["inspectors"]) == 3 for t in plan["targets"])
    assert any(t["kind"] == "term_end" for t in plan["targets"] + plan["merges"])
    assert plan["merges"] and all("减频提质" in m["note"] and m["inspection"] for m in plan["merges"])
    assert len(plan["monitoring"]) == 8 and plan["sealed_covert_visits"] == 4
    with session_scope() as session:
        private = set(session.exec(select(Unit.code).where(Unit.ownership == "private")).all())
    assert len(private) >= 5 and private == {t["unit_code"] for t in plan["targets"] + plan["merges"]
                                             if t["reason"] == "民办学校全方位督导（方案第五条）"}
    assert {t["unit_kind"] for t in plan["targets"] if t["kind"] == "annual"} == {"department", "town", "school"}
    assert plan["draw"]["seed"] == plan["seed"] and "SHA-256" in plan["seed_source"]
    with session_scope() as session:
        assert_plan_invariants(session, load_runtime())
        notice = session.exec(select(Notice).where(Notice.key == "plan:2027")).one()
        assert "shi-duddaoshi@cq.example.cn" in notice.recipients and "年度教育督导工作计划" in notice.subject
        text = document_text(session, session.get(AnnualPlan, 2027).document_id)
    assert str(plan["seed"]) in text and "减频提质" in text and "应配挂牌督学16名" in text
    assert plan["frequency"]["cap_per_semester"] == 4 and 0 < plan["frequency"]["most_in_a_semester"] <= 4
    assert "每校每学期计划性督导不超过4次" in text and "不少于2次" in text
    assert _draw_up()["created"] is False  # asked again: the same plan, nothing new


def test_the_draw_is_reproducible_from_seed_and_ledger(seeded):
    first, again, other = _dry_run(11), _dry_run(11), _dry_run(12)
    assert first["draw"] == again["draw"] and first["draw"]["targets"]
    assert first["draw"]["targets"] != other["draw"]["targets"]
    assert first["monitoring"] == again["monitoring"]
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Inspection)).one() == 0  # dry runs wrote nothing


def test_entries_flushed_a_few_at_a_time_make_the_same_plan_and_a_dry_run_still_writes_nothing(seeded, monkeypatch):
    """A province's ~27,000 entries are flushed a thousand at a time, not held to one flush (memory); the sample
    district's ~100 never reach a thousand, so here they are flushed three at a time."""
    import tasks.planning.year_plan as year_plan

    at_once = _dry_run(11)
    flushes, recording = [], []
    monkeypatch.setattr(year_plan, "ENTRIES_A_FLUSH", 3)
    monkeypatch.setattr(year_plan.Session, "flush", lambda self, *a, real=year_plan.Session.flush, **k: (
        recording and flushes.append(1), real(self, *a, **k))[1])
    record_entries = year_plan._record_entries

    def recorded(*arguments):
        recording.append(1)
        try:
            return record_entries(*arguments)
        finally:
            recording.clear()

    monkeypatch.setattr(year_plan, "_record_entries", recorded)
    in_threes = _dry_run(11)
    assert in_threes == at_once and len(at_once["targets"]) > 30
    assert len(flushes) >= len(at_once["targets"]) // 3  # flushed on the way, three entries at a time
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Inspection)).one() == 0


def test_the_plans_statements_do_not_grow_with_its_inspections(seeded):
    """The term-end, 双随机, 暗访 and special inspections open together, as the annual ones, numbered from a count
    of the codes in use once a kind, not once an inspection (a scan of every code: at 30,000 schools opened one
    by one they took the plan 111 s of CPU, together 36)."""
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event_listen(get_engine(), "before_cursor_execute", listen)
    try:
        with session_scope() as session:
            make_plan(session, year=2027, rt=load_runtime(), as_of=AS_OF, covert_seed=7)
    finally:
        event_remove(get_engine(), "before_cursor_execute", listen)
    with session_scope() as session:
        kinds = Counter(session.exec(select(Inspection.kind).where(Inspection.year == 2027)).all())
    others = sum(n for kind, n in kinds.items() if kind != "annual")
    assert others >= 8, kinds  # enough to tell one statement a kind from one an inspection
    code_counts = [s for s in statements if "count(*)" in s and "LIKE" in s and "inspection" in s]
    assert len(code_counts) <= len(kinds) - 1, code_counts


def test_a_different_seed_for_an_existing_plan_is_refused(seeded):
    _draw_up(seed=5)
    with session_scope() as session:
        try:
            make_plan(session, year=2027, rt=load_runtime(), as_of=AS_OF, seed=6)
        except InputError as exc:
            assert "种子 5" in str(exc)
        else:
            raise AssertionError("a second draw with another seed was allowed")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_rosters_never_yield_a_plan_that_breaks_recusal_size_or_cap(seeded, data):
    rt = load_runtime()
    with session_scope() as session:
        units = session.exec(select(Unit.id).where(Unit.kind != "office")).all()
        inspectors = session.exec(select(Inspector).order_by(Inspector.code)).all()
        for inspector in inspectors:
            for unit_id in data.draw(st.sets(st.sampled_from(units), max_size=25)):
                session.add(InspectorConflict(inspector_id=inspector.id, unit_id=unit_id, reason="t",
                                              declared_on=AS_OF))
            if data.draw(st.booleans()):
                inspector.term_end = date(2027, data.draw(st.integers(1, 12)), 1)
        session.flush()
        try:
            make_plan(session, year=2027, rt=rt, as_of=AS_OF, seed=data.draw(st.integers(0, 10**6)), covert_seed=3)
        except InputError as exc:
            assert "无法为" in str(exc) and "组成督导组" in str(exc)
        else:
            assert_plan_invariants(session, rt)
        session.rollback()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_what_comes_after_the_plan_keeps_recusal_size_and_the_cap(seeded, data):
    """After a plan on a random roster: a special inspection across random schools, principals whose terms
    now end this year raised by the sweep, conflicts declared later; every team and semester still valid."""
    from models import Principal
    from tasks.cycle.special_emergency import SpecialInspectionInput, start_special
    from tasks.planning.term_end import raise_term_end_inspections
    from tasks.roster.team_upkeep import declare_conflict

    rt = load_runtime()
    with session_scope() as session:
        schools = session.exec(select(Unit).where(Unit.kind == "school").order_by(Unit.code)).all()
        inspectors = session.exec(select(Inspector).order_by(Inspector.code)).all()
        for inspector in inspectors:
            for school_id in data.draw(st.sets(st.sampled_from([s.id for s in schools]), max_size=8)):
                session.add(InspectorConflict(inspector_id=inspector.id, unit_id=school_id, reason="t",
                                              declared_on=AS_OF))
        session.flush()
        try:
            make_plan(session, year=2027, rt=rt, as_of=AS_OF, seed=data.draw(st.integers(0, 10**6)), covert_seed=3)
            units = data.draw(st.lists(st.sampled_from([s.code for s in schools]), min_size=1, max_size=25,
                                       unique=True))
            start = date(2027, data.draw(st.integers(2, 10)), 1)
            start_special(session, SpecialInspectionInput(theme="校园安全", units=units), rt, start)
            later = session.exec(select(Principal).where(Principal.term_end > date(2027, 12, 31))).all()
            for principal in data.draw(st.lists(st.sampled_from(later), max_size=10, unique_by=lambda p: p.id)):
                principal.term_end = date(2027, data.draw(st.integers(3, 12)), 20)
                session.add(principal)
            for week in range(52):
                raise_term_end_inspections(session, AS_OF + timedelta(days=7 * week), rt)
            for _ in range(data.draw(st.integers(0, 4))):
                declare_conflict(session, data.draw(st.sampled_from(inspectors)), data.draw(st.sampled_from(schools)),
                                 "t", AS_OF + timedelta(days=data.draw(st.integers(1, 45))))  # before any visit
        except InputError as exc:
            event("refused: no valid team")
            assert "组成督导组" in str(exc) or "没有其他无利益冲突且在任的督学" in str(exc)
        else:
            event("checked")
            assert_plan_invariants(session, rt)
        session.rollback()


def test_plan_cli_prints_the_plan_and_the_ratio_report(seeded, prefect_harness):
    env = {"PREFECT_API_URL": prefect_harness}
    shown = run_cli("plan", "--year", "2027", "--as-of", "2027-01-04", env=env)
    assert shown.returncode == 0, shown.stderr
    for text in ("南岸区2027年度教育督导工作计划", "双随机抽取种子", "减频提质", "督学配备比例报告", "督学责任区"):
        assert text in shown.stdout
    as_json = json.loads(run_cli("plan", "--year", "2027", "--json", "--dry-run", "--as-of", "2027-01-04").stdout)
    assert as_json["seed"] == as_json["draw"]["seed"] and as_json["merges"]
    assert all(t["kind"] and t["inspectors"] for t in as_json["targets"])
    assert as_json["ratio"]["required"] == 16
    assert as_json["frequency"]["cap_per_semester"] == 4 and "每校每学期计划性督导上限 4 次" in shown.stdout


def test_the_plan_shows_the_cap_and_the_units_that_reach_it(seeded, monkeypatch, tmp_path):
    from core.settings import get_settings

    policy = (seeded.policy_path.read_text(encoding="utf-8")
              .replace("cap_per_semester = 4 ", "cap_per_semester = 1 "))
    assert "cap_per_semester = 1 " in policy
    (tmp_path / "policy.toml").write_text(policy, encoding="utf-8")
    monkeypatch.setenv("DUDAO_POLICY_PATH", str(tmp_path / "policy.toml"))
    get_settings.cache_clear()
    with session_scope() as session:
        make_plan(session, year=2027, rt=load_runtime(), as_of=AS_OF, seed=11, covert_seed=1)
        view = plan_view(session, 2027, AS_OF)
        assert_plan_invariants(session, load_runtime())
        session.rollback()
    frequency = view["frequency"]
    assert frequency["cap_per_semester"] == frequency["most_in_a_semester"] == 1
    targets = {(t["unit"], t["semester_label"]) for t in view["targets"] if t["kind"] != "covert"}
    assert {(c["unit"], c["semester_label"]) for c in frequency["at_cap"]} == targets
    assert view["merges"] or view["deferred"]


def test_a_plan_without_a_valid_team_is_refused_and_nothing_is_written(seeded, prefect_harness):
    with session_scope() as session:
        d01 = session.exec(select(Unit).where(Unit.code == "D01")).one()
        for inspector in session.exec(select(Inspector).order_by(Inspector.code)).all()[2:]:
            session.add(InspectorConflict(inspector_id=inspector.id, unit_id=d01.id, reason="近亲属任职",
                                          declared_on=AS_OF))
    result = run_cli("plan", "--year", "2027", "--as-of", "2027-01-04", env={"PREFECT_API_URL": prefect_harness})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("dudao：错误：") and "无法为 区政府办公室（D01）组成督导组" in result.stderr
    with session_scope() as session:
        for table in (AnnualPlan, PlanEntry, Inspection, Document, Notice):
            assert session.exec(select(func.count()).select_from(table)).one() == 0, table
    assert not (seeded.out_dir / "2027").exists()


def test_zones_and_the_ratio_report(seeded):
    rt = load_runtime()
    with session_scope() as session:
        assign_zones(session, date(2026, 3, 1), rt)
        report = ratio_report(session, date(2026, 3, 1), rt)
    assert report["required"] == 16 and report["large"] == 4
    assert all(z["schools"] <= 20 for z in report["zones"]) and report["large_schools_sharing"] == []
    assert report["ratio_met"] is (report["listed_serving"] >= 16)


def test_the_rotation_remembers_the_last_comprehensive_inspection(seeded):
    from models.planning import SchoolRotation

    with session_scope() as session:
        units = {u.code: u for u in session.exec(select(Unit).where(Unit.kind == "school")).all()}
        due_first = {t["unit_code"] for t in _dry_run(3)["targets"] if t["kind"] == "annual"}
        assert len(due_first & set(units)) == 20
        visited = sorted(due_first & set(units))[0]
        session.add(Inspection(code="2026-ZH-900", year=2026, kind="annual", unit_id=units[visited].id,
                               stage="closed", visit_on=date(2026, 4, 1)))
        session.add(SchoolRotation(unit_id=units["S002"].id, last_comprehensive_on=date(2024, 4, 1)))
    due = {t["unit_code"] for t in _dry_run(3)["targets"] if t["kind"] == "annual"}
    assert visited not in due and "S002" in due
