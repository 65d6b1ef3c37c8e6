"""The daily sweep's table in Chinese with what moved by name: each step's Chinese label, inspections by code
and unit with links to the documents issued that day, the notices delivered by subject; no English step
keys left. Run on both backends (it reads the ledger)."""

import re
from datetime import date, datetime, timedelta

from sqlmodel import select

from core.db import session_scope
from models import Document, Notice, Unit
from tasks.operator.sweep_table import STEP_LABELS, sweep_markdown, sweep_rows
from tests.publication_world import plan, visit_and_issue

D = date.fromisoformat


def test_the_table_names_what_moved_in_chinese_and_links_its_documents(seeded, runtime):
    with session_scope() as session:
        inspection = plan(session, "S001", "2026-ZH-001", D("2026-04-14"))
        issued = visit_and_issue(session, runtime, inspection, [("学校管理", "安全台账缺失")])
        unit = session.get(Unit, inspection.unit_id)
        notice = session.exec(select(Notice).where(Notice.inspection_id == inspection.id)).first()
        notice.status, notice.sent_at = "sent", datetime.now().astimezone()
        session.add(notice)
        session.flush()
        moved = {"issue": [inspection.id], "ladder": [], "training": []}
        rows = sweep_rows(session, moved, {"sent": 1, "transient": 0}, issued,
                          since=datetime.now().astimezone() - timedelta(minutes=1))
        documents = session.exec(select(Document).where(Document.inspection_id == inspection.id,
                                                        Document.issued_on == issued)).all()
        markdown = sweep_markdown(issued, rows)
    assert [r["项目"] for r in rows] == [STEP_LABELS["issue"], "已发出"]
    issue_row = rows[0]
    assert issue_row["数量"] == 1 and issue_row["明细"].startswith(f"2026-ZH-001 {unit.name}")
    assert documents and all(f"[{d.title}](" in issue_row["明细"] for d in documents)
    assert notice.subject[:20] in rows[1]["明细"]
    assert not re.search(r"\b(term-end|ladder|escalate|recheck-or-close|transient|issue)\b", markdown)
    assert markdown.startswith(f"# {issued} 每日督导巡检") and "| 推进 | 下发督导报告与督导意见书 | 1 |" in markdown


def test_a_quiet_day_says_so(seeded):
    with session_scope() as session:
        rows = sweep_rows(session, {"notify": [], "issue": []}, {"sent": 0}, D("2026-05-06"))
    assert rows == [] and "今天没有到期事项" in sweep_markdown(D("2026-05-06"), rows)
