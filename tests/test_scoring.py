"""Indicator frameworks and scoring as pure rules: the shipped frameworks, the loader's refusals, weighted
totals, grades at their thresholds, and the self-assessment gap."""

from datetime import date
from pathlib import Path

import pytest

from core.errors import InputError
from rules import behaviour
from rules.indicators import load_frameworks, read_framework
from rules.policy import ScoringPolicy
from rules.scoring import compare, flagged, grade, missing_items, score_problem, score_sheet

DATA = Path(__file__).resolve().parent.parent / "data" / "indicators"
POLICY = ScoringPolicy()


@pytest.fixture(scope="module")
def frameworks():
    return load_frameworks(DATA)


def _shape(framework):
    return [a.name for a in framework.areas], sum(len(a.indicators) for a in framework.areas)


def test_the_shipped_frameworks_follow_the_national_guides(frameworks):
    school = frameworks.get("school", "2026.1")
    assert _shape(school) == (["办学方向", "课程教学", "教师发展", "学校管理", "学生发展"], 12)
    assert [k.name for k in school.areas[0].indicators][:2] == ["加强党建工作", "坚持德育为先"]
    kindergarten = frameworks.get("kindergarten", "2026.1")
    assert _shape(kindergarten) == (["办园方向", "保育与安全", "教育过程", "环境创设", "教师队伍"], 15)
    duzheng = frameworks.get("duzheng", "2026.1")
    assert _shape(duzheng)[0] == ["价值导向", "组织领导", "教学条件", "教师队伍", "均衡发展"]
    guapai = frameworks.get("guapai", "2026.1")
    assert len(guapai.areas) == 8 and guapai.areas[1].name == "招生收费"
    for framework in frameworks.frameworks:
        assert sum(e.item.points for e in framework.entries()) == framework.total == 100


@pytest.mark.parametrize(("kind", "school_type", "inspection", "expected"), [
    ("school", "primary", "annual", "school"), ("school", "nine_year", "term_end", "school"),
    ("school", "kindergarten", "annual", "kindergarten"), ("department", None, "annual", "duzheng"),
    ("town", None, "random", "duzheng"), ("school", "middle", "routine", "guapai"),
    ("school", "primary", "emergency", None), ("department", None, "special", None),
])
def test_the_framework_follows_unit_and_inspection_kind(frameworks, kind, school_type, inspection, expected):
    found = frameworks.select(kind, school_type, inspection, date(2026, 5, 1))
    assert (found.code if found else None) == expected


def _variant(tmp_path, name, **changes) -> Path:
    text = (DATA / "school-2026.1.toml").read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_newer_version_applies_from_its_date_and_the_old_one_stays_readable(tmp_path):
    (tmp_path / "school-2026.1.toml").write_bytes((DATA / "school-2026.1.toml").read_bytes())
    _variant(tmp_path, "school-2027.1.toml", **{'version = "2026.1"': 'version = "2027.1"',
                                                 "effective_from = 2026-01-01": "effective_from = 2027-01-01"})
    registry = load_frameworks(tmp_path)
    assert registry.select("school", "primary", "annual", date(2026, 12, 31)).version == "2026.1"
    assert registry.select("school", "primary", "annual", date(2027, 1, 1)).version == "2027.1"
    assert registry.get("school", "2026.1") is not None


@pytest.mark.parametrize(("change", "message"), [
    ({'["B1.1", 4,': '["B1.1", 5,'}, "分值合计 101，不等于指标体系总分 100"),
    ({'["B1.2", 3,': '["B1.1", 3,'}, "代码重复：B1.1"),
    ({'["B1.1", 4,': '["B1.1", -4,'}, "应大于 0"),
    ({'name = "办学方向"': 'nom = "办学方向"'}, "areas.0"),
])
def test_a_bad_framework_file_is_refused_naming_the_file_and_place(tmp_path, change, message):
    path = _variant(tmp_path, "bad.toml", **change)
    with pytest.raises(InputError) as caught:
        read_framework(path)
    assert "bad.toml" in str(caught.value) and message in str(caught.value)


def test_two_files_with_one_version_are_refused(tmp_path):
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_bytes((DATA / "guapai-2026.1.toml").read_bytes())
    with pytest.raises(InputError, match="在 a.toml 中也有定义"):
        load_frameworks(tmp_path)


def _full(framework, share: float) -> dict[str, float]:
    return {e.item.code: e.item.points * share for e in framework.entries()}


def test_the_weighted_total_counts_each_item_by_its_points(frameworks):
    school = frameworks.get("school", "2026.1")
    scores = _full(school, 1.0)
    scores["B4.1"] = 0  # 3 of 25 points of 课程教学 lost
    result = score_sheet(school, scores, POLICY)
    assert result.score == 97 and result.percent == 97.0 and result.grade == "优秀"
    areas = {a.name: a.percent for a in result.areas}
    assert areas["课程教学"] == 88.0 and areas["办学方向"] == 100.0


@pytest.mark.parametrize(("value", "expected"), [
    (100, "优秀"), (90, "优秀"), (89.99, "良好"), (80, "良好"), (79.9, "合格"), (60, "合格"), (59.9, "不合格"), (0, "不合格"),
])
def test_grades_take_each_threshold_inclusively(value, expected):
    assert grade(value, POLICY) == expected


def test_grade_thresholds_are_policy():
    strict = ScoringPolicy(excellent_from=95, good_from=85, pass_from=70)
    assert grade(90, strict) == "良好" and grade(69, strict) == "不合格"
    with pytest.raises(ValueError):
        ScoringPolicy(excellent_from=80, good_from=85)


def test_scores_outside_the_items_points_are_named(frameworks):
    item = frameworks.get("school", "2026.1").entry("B1.1").item
    assert score_problem(item, 4) is None and score_problem(item, 0) is None
    assert "不在 0–4" in score_problem(item, 4.5)
    assert "不在 0–4" in score_problem(item, -1)
    assert score_problem(item, float("nan")) == "不是有限的数字"


def test_missing_items_are_listed_in_framework_order(frameworks):
    guapai = frameworks.get("guapai", "2026.1")
    scores = _full(guapai, 1.0)
    del scores["B3.2"], scores["B1.1"]
    assert missing_items(guapai, scores) == ["B1.1", "B3.2"]


def test_a_unit_rating_itself_far_above_the_inspectors_is_flagged(frameworks):
    school = frameworks.get("school", "2026.1")
    onsite = _full(school, 0.7)
    honest = _full(school, 0.75)
    boastful = {**honest, **{code: school.entry(code).item.points for code in ("B4.1", "B4.2", "B4.3", "B5.1",
                                                                              "B5.2", "B5.3", "B6.1", "B6.2")}}
    assert flagged(compare(school, honest, onsite, POLICY)) == []
    gaps = flagged(compare(school, boastful, onsite, POLICY))
    assert [g.name for g in gaps] == ["课程教学", "总分"]
    assert gaps[0].points == 30.0 and gaps[0].self_percent == 100.0
    exactly = _full(school, 0.8)  # 10 points above: not more than the threshold
    assert flagged(compare(school, exactly, onsite, POLICY)) == []
    assert flagged(compare(school, exactly, onsite, ScoringPolicy(self_gap_points=5)))


def test_simulated_scores_are_deterministic_in_half_points(frameworks):
    school = frameworks.get("school", "2026.1")
    items = [(e.item.code, e.item.points, e.area.name) for e in school.entries()]
    first = behaviour.item_scores(7, "2026-ZH-050", "S001", "onsite", items, frozenset({"课程教学"}))
    assert first == behaviour.item_scores(7, "2026-ZH-050", "S001", "onsite", items, frozenset({"课程教学"}))
    assert all(score_problem(school.entry(c).item, v) is None and (v * 2).is_integer() for c, v in first.items())
    assert missing_items(school, first) == []
