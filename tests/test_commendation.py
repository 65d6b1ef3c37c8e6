"""Who is recommended for commendation (实施方案 §十二): excellent results and rectification on time."""

from datetime import date

from rules.commendation import InspectionRecord, ItemRecord, commendations

D = date.fromisoformat


def item(stage="closed", submitted="2026-06-20", ladder="none", reopened=0) -> ItemRecord:
    return ItemRecord(stage, D("2026-06-30"), D(submitted) if submitted else None, ladder, reopened)


def record(code, *items, findings=None, serious=0, grade=None, kind="school", issued=True) -> InspectionRecord:
    return InspectionRecord(code, f"{code}单位", kind, f"2026-ZH-{code}", issued,
                            len(items) if findings is None else findings, serious, tuple(items), grade)


def codes(records, **kw) -> list[str]:
    return [c.unit_code for c in commendations(records, **kw)]


def test_on_time_and_excellent_units_are_chosen_and_late_ones_are_not():
    records = [
        record("S1"),  # nothing found
        record("S2", item()),  # one finding, rectified before the deadline
        record("S3", item(submitted="2026-07-02")),  # handed in after the deadline
        record("S4", item(ladder="urge")),  # needed a 督办通知
        record("S5", item(reopened=1)),  # relapsed at 回头看
        record("S6", item(stage="open", submitted=None)),  # not rectified yet
        record("S7", item(), item()),  # two findings: above the default cap of one
        record("S8", item(), serious=1),  # a serious finding
        record("S9", issued=False),  # no report yet
        record("S10", item(ladder="reminder", stage="accepted")),  # a reminder before the deadline is fine
    ]
    assert codes(records) == ["S1", "S10", "S2"]  # fewest findings first, then by code
    assert codes(records, max_findings=2) == ["S1", "S10", "S2", "S7"]


def test_a_grade_from_scoring_decides_excellence_where_there_is_one():
    records = [record("S1", item(), item(), grade="优秀"), record("S2", grade="良好"), record("S3")]
    chosen = commendations(records)
    assert [c.unit_code for c in chosen] == ["S3", "S1"]
    assert chosen[1].reason == "督导评定等次优秀，按期整改到位"


def test_the_list_runs_departments_towns_then_schools():
    records = [record("S1"), record("T1", kind="town"), record("D1", kind="department")]
    assert codes(records) == ["D1", "T1", "S1"]


def test_a_unit_is_listed_once_whatever_its_number_of_inspections():
    """Before: one line per inspection, so a unit with two clean inspections was listed twice."""
    records = [record("S1"), record("S1", item()), record("S2")]
    chosen = commendations(records)
    assert [c.unit_code for c in chosen] == ["S2", "S1"]  # fewest findings first: S1's two inspections add up
    assert (chosen[1].findings, chosen[1].inspection_code) == (1, "2026-ZH-S1、2026-ZH-S1")


def test_a_unit_with_one_bad_inspection_is_not_listed_for_its_good_one():
    """Before: the good inspection alone put the unit on the list."""
    assert codes([record("S1"), record("S1", item(ladder="urge")), record("S2")]) == ["S2"]


def test_a_unit_under_circular_or_accountability_that_year_is_never_listed():
    """§十四 不得评优评先: before, a unit held to account through another inspection was still recommended."""
    records = [record("S1"), record("S2"), record("D1", kind="department")]
    assert codes(records, sanctioned=frozenset({"S1", "D1"})) == ["S2"]
