"""The 督导报告 states the weighted score and grade against the pinned framework, and flags the areas where
the unit rated itself far above what the inspectors found (issue 6, item 3)."""

import re
from datetime import date

from sqlmodel import select

from core.db import session_scope
from models import Document, Notice, Unit
from tasks.cycle.scores import ONSITE, SELF, record_scores, registry
from tests.publication_world import plan, visit_and_issue


def _sheet(framework, share_of_area) -> dict[str, float]:
    """Every item scored at the share of its points given for its area (halves, as inspectors score)."""
    return {e.item.code: round(e.item.points * share_of_area(e.area.name) * 2) / 2 for e in framework.entries()}


def _report(seeded, code: str) -> tuple[str, str]:
    with session_scope() as session:
        document = session.exec(select(Document).where(Document.key == f"inspection:{code}:report")).one()
        html = (seeded.out_dir / document.path).read_text(encoding="utf-8")
        text = session.exec(select(Notice.body_text).where(Notice.key == f"inspection:{code}:report")).one()
    return html, text


def _rows(html: str) -> dict[str, list[str]]:
    table = html[html.index('<table class="scores">'):]
    table = table[:table.index("</table>")]
    return {cells[0]: cells[1:] for cells in (re.findall(r"<td[^>]*>([^<]*)</td>", row)
                                              for row in table.split("<tr>")[2:])}


def test_the_report_gives_grade_and_flags_a_boastful_self_assessment(seeded, runtime):
    school = registry().get("school", "2026.1")
    with session_scope() as session:
        inspection = plan(session, "S001", "2026-ZH-001", date(2026, 4, 14))
        kwargs = {"session": session, "inspection": inspection, "framework": school, "policy": runtime.policy.scoring}
        record_scores(**kwargs, source=SELF, scores=_sheet(school, lambda area: 1.0), as_of=date(2026, 4, 7),
                      actor="S001")
        inspection.self_assessment_on = date(2026, 4, 7)  # as the self-assessment import records it
        found = _sheet(school, lambda area: 1.0 if area == "学生发展" else 0.6)  # one area as the unit said
        record_scores(**kwargs, source=ONSITE, scores=found, as_of=date(2026, 4, 14), actor="I001")
        visit_and_issue(session, runtime, inspection, [("课程教学", "劳动教育课时未开足")])
    html, text = _report(seeded, "2026-ZH-001")
    onsite = round(100 * sum(found.values()) / 100, 1)
    assert "《义务教育学校办学质量督导评价指标》（2026.1版）" in html
    assert f"得分率{onsite:.1f}%，等级为{'良好' if onsite >= 80 else '合格'}" in html
    assert "该单位于2026年4月7日报送了自评报告" in html and "该单位自评得分率100.0%，等级为优秀" in html
    rows = _rows(html)
    assert list(rows) == ["办学方向", "课程教学", "教师发展", "学校管理", "学生发展"]
    flagged = [name for name, cells in rows.items() if cells[-1].endswith("※")]
    assert flagged == ["办学方向", "课程教学", "教师发展", "学校管理"]
    assert rows["学生发展"][1:] == ["100.0%", "100.0%", "+0.0"]
    lead = html[html.index("自评得分率高出督导评定10个百分点以上的有："):]
    assert lead.startswith("自评得分率高出督导评定10个百分点以上的有：办学方向（高出")
    assert "学生发展（高出" not in lead[:lead.index("</p>")] and "总分（高出" in lead[:lead.index("</p>")]
    assert "等级为优秀" in text and "自评得分率高出督导评定10个百分点以上的有：办学方向" in text


def test_an_unscored_inspection_says_nothing_of_scores(seeded, runtime):
    with session_scope() as session:
        inspection = plan(session, "S002", "2026-ZH-002", date(2026, 4, 15))
        visit_and_issue(session, runtime, inspection, [("学校管理", "消防通道堵塞")])
        assert session.exec(select(Unit.code).where(Unit.id == inspection.unit_id)).one() == "S002"
    html, text = _report(seeded, "2026-ZH-002")
    assert "得分率" not in html and "scores" not in html and "得分率" not in text
    assert "消防通道堵塞" in html
