"""The routine-visit frequency is one policy number (issue 16): the plan document prints
`[inspectors] visits_per_semester` and no other frequency ("原则上每月一次" contradicted it), and the semester
check counts against the same number."""

from datetime import date

import pytest

from core.db import session_scope
from models.planning import AnnualPlan
from rules.runtime import load_runtime
from tasks.cycle.routine_visits import coverage
from tasks.documents.issuing import document_text
from tasks.planning.drawing import draw_up

AS_OF = date(2027, 1, 4)


@pytest.mark.parametrize("visits", [2, 5])
def test_the_plan_document_and_the_semester_check_use_the_policys_one_number(seeded, monkeypatch, tmp_path, visits):
    from core.settings import get_settings

    policy = seeded.policy_path.read_text(encoding="utf-8")
    assert "visits_per_semester = 2 " in policy
    (tmp_path / "policy.toml").write_text(policy.replace("visits_per_semester = 2 ", f"visits_per_semester = {visits} "),
                                          encoding="utf-8")
    monkeypatch.setenv("DUDAO_POLICY_PATH", str(tmp_path / "policy.toml"))
    get_settings.cache_clear()
    rt = load_runtime()
    assert rt.policy.inspectors.visits_per_semester == visits
    with session_scope() as session:
        draw_up(session, year=2027, rt=rt, as_of=AS_OF, covert_seed=1)
        text = document_text(session, session.get(AnnualPlan, 2027).document_id)
        report = coverage(session, "2027-1", rt)
    assert f"挂牌责任督学每学期到责任学校督导不少于{visits}次" in text
    assert "每月" not in text  # no second frequency beside the policy's
    assert report["required"] == visits and set(report["short"].values()) == {visits}
