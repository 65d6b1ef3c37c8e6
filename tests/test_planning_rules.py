"""The pure planning rules: teams (recusal, size, term, balance), the cap and merges, the 双随机 draw,
terms, zones and rotation. Property tests run them on random rosters and random plans."""

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.assignment import Candidate, NoValidTeam, TeamPicker, assign_team, eligible_for, team_is_valid
from rules.frequency import ANNOUNCED, Request, counts_by_semester, plan_frequency, semester_of
from rules.inspectors import School, build_zones, required_listed, term_problem
from rules.policy import InspectorPolicy
from rules.rotation import rotation_due
from rules.selection import draw, draw_team, rank

SEMESTERS = ("2027-1", "2027-2")
BASE = date(2027, 1, 1)
SIZES = {"annual": 3, "term_end": 3, "special": 3, "random": 3, "covert": 2}


@st.composite
def rosters(draw_, units: int):
    count = draw_(st.integers(0, 14))
    roster = []
    for inspector_id in range(1, count + 1):
        conflicts = draw_(st.frozensets(st.integers(0, units - 1), max_size=units))
        start = BASE + timedelta(days=draw_(st.integers(-400, 300)))
        roster.append(Candidate(inspector_id, conflicts, start, start + timedelta(days=draw_(st.integers(0, 1100)))))
    return roster


@st.composite
def plans(draw_):
    units = draw_(st.integers(1, 6))
    requests = []
    for n in range(draw_(st.integers(0, 30))):
        kind = draw_(st.sampled_from((*ANNOUNCED, "covert")))
        semester = draw_(st.sampled_from(SEMESTERS))
        existing = kind != "covert" and draw_(st.booleans()) and n % 3 == 0
        requests.append(Request(key=f"r{n}", unit_id=draw_(st.integers(0, units - 1)), kind=kind, semester=semester,
                                alternatives=tuple(s for s in SEMESTERS if s != semester and draw_(st.booleans())),
                                announced=kind != "covert", existing=existing, mergeable=draw_(st.booleans())))
    return units, requests, draw_(st.integers(1, 4)), draw_(rosters(units))


def _visit_day(semester: str, key: str) -> date:
    start = date(2027, 3, 16) if semester.endswith("1") else date(2027, 9, 15)
    return start + timedelta(days=int(rank(1, "day", key)[:4], 16) % 90)


@settings(max_examples=300, deadline=None)
@given(plans())
def test_no_plan_ever_breaks_recusal_team_size_or_the_cap(plan):
    units, requests, cap, roster = plan
    decisions = plan_frequency(requests, cap)
    existing = Counter((r.unit_id, r.semester) for r in requests if r.existing)
    for (unit, semester), count in counts_by_semester(decisions, existing).items():
        assert count <= max(cap, existing[(unit, semester)]), (unit, semester)
    assert {d.request.key for d in decisions} == {r.key for r in requests if not r.existing}
    load = Counter()
    for d in decisions:
        if d.status not in ("scheduled", "moved"):
            continue
        day, size = _visit_day(d.semester, d.request.key), SIZES[d.request.kind]
        try:
            team = assign_team(roster, d.request.unit_id, size, load, on=day)
        except NoValidTeam:
            assert len(eligible_for(roster, d.request.unit_id, day)) < size
            continue
        assert team_is_valid(roster, d.request.unit_id, team, size, on=day)
        assert all(d.request.unit_id not in c.conflicts for c in roster if c.inspector_id in team)


@settings(max_examples=200, deadline=None)
@given(plans())
def test_merged_requests_point_at_a_host_that_can_take_them(plan):
    _units, requests, cap, _roster = plan
    decisions = plan_frequency(requests, cap)
    keys = {r.key: r for r in requests} | {d.request.key: d.request for d in decisions}
    for d in decisions:
        if d.status == "merged":
            host = keys[d.host]
            assert host.unit_id == d.request.unit_id and d.request.announced
        if d.status == "deferred":
            assert d.semester is None and "上限" in d.reason


def test_a_term_end_and_a_special_merge_into_the_annual_inspection_of_the_semester():
    requests = [Request("annual:S1", 1, "annual", "2027-1"), Request("term_end:7", 1, "term_end", "2027-1"),
                Request("special:S1", 1, "special", "2027-1"), Request("random:S1", 1, "random", "2027-1")]
    decisions = {d.request.key: d for d in plan_frequency(requests, cap=4)}
    assert decisions["term_end:7"].status == decisions["special:S1"].status == "merged"
    assert decisions["term_end:7"].host == "annual:S1" and "减频提质" in decisions["term_end:7"].reason
    assert decisions["random:S1"].status == "scheduled"  # a random check stays independent


def test_the_cap_moves_the_lowest_priority_visit_and_then_defers():
    existing = [Request(f"inspection:{n}", 1, "special", "2027-1", existing=True, mergeable=False) for n in range(2)]
    asked = [Request("random:a", 1, "random", "2027-1", alternatives=("2027-2",)),
             Request("annual:a", 1, "annual", "2027-1")]
    decisions = {d.request.key: d for d in plan_frequency([*existing, *asked], cap=3)}
    assert decisions["annual:a"].status == "scheduled"
    assert decisions["random:a"].status == "moved" and decisions["random:a"].semester == "2027-2"
    decisions = {d.request.key: d for d in plan_frequency([*existing, *asked[:1]], cap=2)}
    assert decisions["random:a"].status == "moved"
    decisions = {d.request.key: d for d in plan_frequency([*existing, Request("random:b", 1, "random", "2027-1")],
                                                          cap=2)}
    assert decisions["random:b"].status == "deferred"


def test_teams_balance_the_load_and_refuse_where_no_valid_team_exists():
    roster = [Candidate(i, frozenset({1}) if i <= 2 else frozenset()) for i in range(1, 7)]
    load = Counter()
    first = assign_team(roster, 2, 3, load)
    second = assign_team(roster, 2, 3, load)
    assert set(first).isdisjoint(second) and sorted(load.values()) == [1] * 6
    assert 1 not in assign_team(roster, 1, 3, Counter()) and 2 not in assign_team(roster, 1, 3, Counter())
    try:
        assign_team(roster[:4], 1, 3, Counter())
    except NoValidTeam as exc:
        assert exc.eligible == 2 and exc.needed == 3
    else:
        raise AssertionError("a team was formed from two eligible inspectors")


def _naive_team(roster, unit_id, size, load, on):
    """The rule as written: of those who may inspect the unit that day, the least loaded, ties to the lower id."""
    eligible = sorted((load[c.inspector_id], c.inspector_id) for c in roster if c.may_inspect(unit_id, on))
    if len(eligible) < size:
        raise NoValidTeam(unit_id, len(eligible), size, on)
    team = [inspector_id for _, inspector_id in eligible[:size]]
    load.update(team)
    return team


_DAYS = [date(2026, 3, 2) + timedelta(days=7 * n) for n in range(12)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.frozensets(st.integers(0, 30), max_size=4), st.integers(0, 11), st.integers(0, 11)),
                min_size=3, max_size=25),
       st.lists(st.tuples(st.integers(0, 30), st.integers(1, 4), st.integers(0, 11), st.booleans()), max_size=60))
def test_one_picker_over_many_units_chooses_exactly_the_teams_of_the_rule(people, picks):
    roster = [Candidate(n + 1, conflicts, _DAYS[min(a, b)], _DAYS[max(a, b)])
              for n, (conflicts, a, b) in enumerate(people)]
    load, expected_load = Counter(), Counter()
    picker = TeamPicker(roster, load)
    for unit_id, size, day, outside in picks:
        if outside:  # the load may grow between picks by other hands too (another kind of inspection)
            load[roster[unit_id % len(roster)].inspector_id] += 1
            expected_load[roster[unit_id % len(roster)].inspector_id] += 1
        try:
            expected = _naive_team(roster, unit_id, size, expected_load, _DAYS[day])
        except NoValidTeam as exc:
            with pytest.raises(NoValidTeam) as raised:
                picker.pick(unit_id, size, _DAYS[day])
            assert raised.value.eligible == exc.eligible
            continue
        assert picker.pick(unit_id, size, _DAYS[day]) == expected
        assert load == expected_load


def test_an_inspector_out_of_term_is_never_assigned():
    roster = [Candidate(1, frozenset(), date(2024, 9, 1), date(2027, 8, 31)), Candidate(2, frozenset()),
              Candidate(3, frozenset()), Candidate(4, frozenset())]
    assert 1 in assign_team(roster, 9, 4, Counter(), on=date(2027, 6, 1))
    assert 1 not in assign_team(roster, 9, 3, Counter(), on=date(2027, 9, 1))


def test_the_draw_repeats_from_seed_and_codes_alone():
    codes = [f"S{n:03d}" for n in range(1, 61)]
    assert draw(2027, "random", codes, 6) == draw(2027, "random", list(reversed(codes)), 6)
    assert draw(2027, "random", codes, 6) != draw(2028, "random", codes, 6)
    assert draw_team(5, "S001", ["I1", "I2", "I3", "I4"], 3) == draw_team(5, "S001", ["I4", "I3", "I2", "I1"], 3)
    # anyone can check a rank with any SHA-256 tool
    import hashlib

    assert rank(7, "x", "S001") == hashlib.sha256(b"7:x:S001").hexdigest()


def test_impossible_terms_are_named():
    policy = InspectorPolicy()
    assert term_problem(date(2025, 9, 1), date(2028, 8, 31), 1, policy) is None
    assert "不晚于聘期开始" in term_problem(date(2025, 9, 1), date(2025, 8, 31), 1, policy)
    assert "超过 3 年" in term_problem(date(2025, 9, 1), date(2029, 8, 31), 1, policy)
    assert "最多连任 3 届" in term_problem(date(2025, 9, 1), date(2028, 8, 31), 4, policy)


def test_zones_hold_at_most_twenty_schools_and_large_schools_get_their_own_inspector():
    policy = InspectorPolicy()
    schools = [School(n, f"S{n:03d}", f"T{n % 3}", 2500 if n % 10 == 0 else 800) for n in range(1, 46)]
    from rules.inspectors import Listed

    listed = [Listed(100 + n, frozenset({n})) for n in range(1, 16)]
    plan = build_zones(schools, listed, policy)
    per_zone = Counter(zone for zone, _ in plan.assignments.values())
    per_inspector = Counter(i for _, i in plan.assignments.values())
    assert max(per_zone.values()) <= 20 and max(per_inspector.values()) <= 5
    for school in schools:
        if school.unit_id in plan.assignments:
            inspector = plan.assignments[school.unit_id][1]
            assert school.unit_id != inspector - 100  # recusal
            if school.students >= 2000:
                assert per_inspector[inspector] == 1
    need = required_listed([s.students for s in schools], policy)
    assert need == {"schools": 45, "large": 4, "regular": 41, "required": 4 + 9}


def test_rotation_spreads_schools_without_a_record_and_keeps_the_cycle():
    codes = [f"S{n:03d}" for n in range(1, 61)]
    years = [set(rotation_due(codes, {}, year, 3)) for year in (2027, 2028, 2029)]
    assert [len(y) for y in years] == [20, 20, 20] and set().union(*years) == set(codes)
    assert "S001" in rotation_due(codes, {"S001": (date(2024, 5, 1), None)}, 2027, 3)
    assert "S001" not in rotation_due(codes, {"S001": (date(2025, 5, 1), None)}, 2027, 3)


def test_semesters():
    assert semester_of(date(2027, 3, 1)) == "2027-1" and semester_of(date(2027, 9, 1)) == "2027-2"
    assert semester_of(date(2028, 1, 10)) == "2027-2"


def _zones_as_written(schools, listed, policy):
    """build_zones as first written (one scan of the roster per school): the reference for the fast one."""
    from rules.inspectors import ZonePlan

    plan, used = ZonePlan(), {}
    for position, school in enumerate(sorted(schools, key=lambda s: (s.town, s.code))):
        zone = f"Z{position // policy.zone_max_schools + 1:02d}"
        large = school.students >= policy.large_school_students
        free = [c.inspector_id for c in listed if school.unit_id not in c.conflicts]
        chosen = None
        if not large:
            chosen = next((i for i in free if (state := used.get(i)) and state[0] == zone and not state[2]
                           and state[1] < policy.schools_per_inspector), None)
        if chosen is None:
            chosen = next((i for i in free if i not in used), None)
        if chosen is None:
            plan.unassigned.append(school.unit_id)
            continue
        used.setdefault(chosen, [zone, 0, large])[1] += 1
        plan.assignments[school.unit_id] = (zone, chosen)
    return plan


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_zones_are_those_of_the_rule_as_written(data):
    from rules.inspectors import Listed

    n_schools = data.draw(st.integers(0, 60))
    schools = [School(n, f"S{n:03d}", f"T{data.draw(st.integers(0, 3))}",
                      data.draw(st.sampled_from([300, 800, 2000, 2600]))) for n in range(1, n_schools + 1)]
    ids = data.draw(st.lists(st.integers(100, 400), unique=True, max_size=25))
    listed = [Listed(i, frozenset(data.draw(st.sets(st.integers(1, max(n_schools, 1)), max_size=8)))) for i in ids]
    policy = InspectorPolicy(schools_per_inspector=data.draw(st.integers(1, 6)),
                             zone_max_schools=data.draw(st.integers(1, 20)))
    fast, reference = build_zones(schools, listed, policy), _zones_as_written(schools, listed, policy)
    assert (fast.assignments, fast.unassigned) == (reference.assignments, reference.unassigned)
