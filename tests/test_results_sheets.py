"""结果运用 (issue 16, 实施方案 §十二–十三): the year's results sheets, one for departments and towns, one for
schools: each unit's grade, on-time rectification rate and 约谈/通报/问责 counts, sent once to the bodies the
policy names (区委组织部, 区教委, 区财政局, 区人力社保局); a body missing from the ledger is refused by name."""

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from models import Document, Notice, UnitKind
from tasks.cycle.scores import ONSITE, record_scores, registry
from tasks.year_end.results import issue_results_sheets, results_by_unit
from tests.ladder_support import make_items, sweep_days
from tests.publication_world import plan, rectify, visit_and_issue

AS_OF = date(2026, 12, 31)
DEADLINE = date(2026, 6, 30)


@pytest.fixture
def year(seeded, runtime):
    """S001 scored 优秀 and rectified on time; S002's item left to climb the ladder past 约谈 and 通报."""
    school = registry().get("school", "2026.1")
    with session_scope() as session:
        good = plan(session, "S001", "2026-ZH-001", date(2026, 4, 14))
        record_scores(session=session, inspection=good, framework=school, policy=runtime.policy.scoring,
                      source=ONSITE, scores={e.item.code: e.item.points for e in school.entries()},
                      as_of=date(2026, 4, 14), actor="I001")
        issued = visit_and_issue(session, runtime, good, [("学校管理", "晨检记录不全")])
        rectify(session, runtime, good, "已补全晨检记录", issued + timedelta(days=5))
    make_items("S002", DEADLINE)
    sweep_days(DEADLINE - timedelta(days=10), date(2026, 9, 30), runtime)
    return runtime


def test_each_unit_has_its_grade_rate_and_ladder_counts(year):
    with session_scope() as session:
        schools = {r.code: r for r in results_by_unit(session, 2026, year, (UnitKind.SCHOOL,))}
        government = results_by_unit(session, 2026, year, (UnitKind.DEPARTMENT, UnitKind.TOWN))
    assert len(schools) == 60 and len(government) == 28 + 15
    s001, s002 = schools["S001"], schools["S002"]
    assert (s001.grade, s001.items, s001.on_time_rate) == ("优秀", 1, "100%")
    assert (s001.interviews, s001.circulars, s001.accountability) == (0, 0, 0)
    assert (s002.grade, s002.items, s002.on_time_rate) == ("本年度未评定", 1, "0%")
    assert s002.interviews == 1 and s002.circulars == 1
    assert schools["S003"].on_time_rate == "—" and schools["S003"].items == 0
    assert all(r.items == 0 for r in government)


def test_the_sheets_go_once_to_the_bodies_the_policy_names(year, seeded):
    with session_scope() as session:
        ids, queued = issue_results_sheets(session, 2026, AS_OF, year)
        assert set(ids) == {"government", "schools"} and queued == 2
        notice = session.exec(select(Notice).where(Notice.key == "year:2026:results:schools")).one()
        names = [name for name, _address in json.loads(notice.recipients)]
        path = session.get(Document, ids["schools"]).path
    html = (seeded.out_dir / path).read_text(encoding="utf-8")  # files are written when the transaction commits
    assert names == ["区委组织部", "区教委", "区财政局", "区人力社保局"]
    assert "学校督导结果运用表" in notice.subject and "第十二条" in html and "考核、任免、奖惩" in html
    assert "<td class=\"nowrap\">优秀</td><td class=\"nowrap\">1</td><td class=\"nowrap\">100%</td>" in html
    with session_scope() as session:
        assert issue_results_sheets(session, 2026, AS_OF, year)[1] == 0  # once a year


def test_a_recipient_not_in_the_ledger_is_refused_by_name_and_nothing_is_filed(year, seeded, monkeypatch, tmp_path):
    from core.settings import get_settings
    from rules.runtime import load_runtime

    policy = seeded.policy_path.read_text(encoding="utf-8")
    (tmp_path / "policy.toml").write_text(policy.replace('"区财政局"', '"区财政厅"'), encoding="utf-8")
    monkeypatch.setenv("DUDAO_POLICY_PATH", str(tmp_path / "policy.toml"))
    get_settings.cache_clear()
    with pytest.raises(InputError, match="区财政厅"):
        with session_scope() as session:
            issue_results_sheets(session, 2026, AS_OF, load_runtime())
    with session_scope() as session:
        assert not session.exec(select(Document).where(Document.key.like("year:2026:results:%"))).all()
