"""The year-end documents: the 年度督导报告 with its charts inside the HTML, the report to the municipal
office, the commendation list; filed and sent once; the year-end-summary flow with its markdown artifact."""

import base64
import io
import json
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from core.db import session_scope
from models import Document, Notice
from tasks.year_end.report import issue_year_end
from tests.publication_world import plan, rectify, release_and_publish, visit_and_issue

D = date.fromisoformat
AS_OF = D("2026-12-31")


@pytest.fixture
def year(seeded, runtime):
    """S001 rectified on time (one general finding), S002 with two findings left open."""
    with session_scope() as session:
        good = plan(session, "S001", "2026-ZH-001", D("2026-04-14"))
        issued = visit_and_issue(session, runtime, good, [("学校管理", "晨检记录不全")])
        rectify(session, runtime, good, "已补全晨检记录", issued + timedelta(days=5))
        release_and_publish(session, runtime, good, issued + timedelta(days=6))
        slow = plan(session, "S002", "2026-ZH-002", D("2026-04-15"))
        visit_and_issue(session, runtime, slow, [("学校管理", "消防通道堵塞"), ("课程教学", "劳动课时不足")])
    return runtime


def _pngs(html: str) -> list[Image.Image]:
    return [Image.open(io.BytesIO(base64.b64decode(data)))
            for data in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def test_the_year_end_documents(year, seeded):
    with session_scope() as session:
        result = issue_year_end(session, 2026, AS_OF, year)
        docs = {d.kind: d for d in session.exec(select(Document).where(Document.key.like("year:2026:%"))).all()}
        upward = session.exec(select(Notice).where(Notice.key == "year:2026:upward-report")).one()
        assert json.loads(upward.recipients) == [["重庆市人民政府教育督导室", "shi-duddaoshi@cq.example.cn"]]
    assert set(docs) == {"annual_report", "upward_report", "commendation"} and result.notices == 3
    assert result.figures.items == 3 and result.figures.items_on_time == 1
    assert [c.unit_code for c in result.commended] == ["S001"]
    annual = (seeded.out_dir / docs["annual_report"].path).read_text(encoding="utf-8")
    charts = _pngs(annual)
    assert len(charts) >= 5  # stages, findings by area, rectification, ladder, this year against last
    assert all(c.format == "PNG" and c.width > 400 and c.height > 150 for c in charts)
    assert "按期整改率33%" in annual and "图5" in annual
    upward_html = (seeded.out_dir / docs["upward_report"].path).read_text(encoding="utf-8")
    assert "签发人：林立华（示例）" in upward_html and "重庆市人民政府教育督导室：" in upward_html
    listing = (seeded.out_dir / docs["commendation"].path).read_text(encoding="utf-8")
    assert _unit_name("S001") in listing
    assert _unit_name("S002") not in listing


def _unit_name(code: str) -> str:
    from models import Unit

    with session_scope() as session:
        return session.exec(select(Unit.name).where(Unit.code == code)).one()


def test_running_the_year_end_again_files_nothing_new(year):
    with session_scope() as session:
        issue_year_end(session, 2026, AS_OF, year)
    with session_scope() as session:
        again = issue_year_end(session, 2026, AS_OF, year)
        assert again.notices == 0
        assert len(session.exec(select(Document).where(Document.key.like("year:2026:%"))).all()) == 3


def test_the_year_end_summary_flow_leaves_a_markdown_artifact(year, seeded, prefect_harness):
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.year_end_summary import year_end_summary

    outcome = year_end_summary(as_of=AS_OF)  # as the schedule starts it: no year, the year of the date
    assert outcome["notices"] == 5 and outcome["delivered"]["sent"] >= 5  # with the year's earlier notices
    assert set(outcome["documents"]) == {"annual_report", "upward_report", "commendation", "results_government",
                                         "results_schools"}  # with the results sheets (结果运用)

    async def artifact():
        async with get_client() as client:
            found = await client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["year-end-summary-2026"])))
            run = await client.read_flow_run(found[-1].flow_run_id)
            return found[-1].data, run.name

    markdown, run_name = asyncio.run(artifact())
    assert run_name == "2026年度督导总结"
    assert "# 南岸区2026年度教育督导总结" in markdown and "| 发现问题 | 3 |" in markdown
    assert _unit_name("S001") in markdown


def test_a_unit_circulated_through_another_inspection_is_not_commended(year):
    """§十四 不得评优评先: before, S001's clean inspection listed it though another item of its was circulated."""
    from tests.ladder_support import ladder_events_of, make_items, sweep_days

    item_id = make_items("S001", D("2026-05-04"))[0]
    sweep_days(D("2026-05-01"), D("2026-09-30"), year)
    assert ladder_events_of(item_id)["circular"] == 1
    with session_scope() as session:
        result = issue_year_end(session, 2026, AS_OF, year)
    assert [c.unit_code for c in result.commended] == []
