"""约谈 with a day, place and attendees, its 约谈记录 filed only after it took place; 约谈 and 问责 raised by hand
for a reason of the seed's list (policy data); a 问责 by hand counts toward 从重问责 and bars commendation."""

import json
from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models import Document, Interview, Notice
from tasks.ladder.summary import sanctioned_units
from tests.conftest import run_cli
from tests.exchange_support import counts
from tests.ladder_support import make_items, notices_of, sweep_days, totals

D = date.fromisoformat


def _env(settings) -> dict:
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url}


def _refused(settings, *args) -> str:
    before = totals(), counts()
    result = run_cli(*args, env=_env(settings))
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert (totals(), counts()) == before
    return result.stderr.strip()


def test_the_ladder_summons_for_a_later_day_and_files_the_record_only_after_it(seeded, runtime):
    """Before: the notice summoned the head for the day it was issued and the record went upward that day."""
    [item_id] = make_items("S001", D("2026-09-30"))
    sweep_days(D("2026-09-01"), D("2026-10-29"), runtime)  # the 督办 deadline passed: 约谈 on 2026-10-29
    with session_scope() as session:
        [interview] = session.exec(select(Interview).where(Interview.item_id == item_id)).all()
        notice = session.exec(select(Notice).where(Notice.item_id == item_id, Notice.kind == "interview")).one()
    assert interview.notified_on == D("2026-10-29") and interview.scheduled_on == D("2026-11-03")  # 3 working days
    assert "2026年11月3日在区政府教育督导室" in notice.body_text
    assert notices_of(item_id)["interview_record"] == 0
    early = _refused(seeded, "interview", "record", str(interview.id), "--held-on", "2026-11-03",
                     "--attendees", "校长", "--record", "说明情况", "--as-of", "2026-11-02")
    assert "尚未到来" in early
    assert "参加人员" in _refused(seeded, "interview", "record", str(interview.id), "--attendees", " ",
                                "--record", "说明情况", "--as-of", "2026-11-03")
    assert "没有编号为 999 的约谈" in _refused(seeded, "interview", "record", "999", "--attendees", "校长",
                                          "--record", "x", "--as-of", "2026-11-03")
    done = run_cli("interview", "record", str(interview.id), "--attendees", "校长王某；督导室李某", "--record",
                   "校长说明了逾期原因，承诺两周内整改到位", "--as-of", "2026-11-04", env=_env(seeded))
    assert done.returncode == 0, done.stderr
    with session_scope() as session:
        record = session.exec(select(Notice).where(Notice.item_id == item_id, Notice.kind == "interview_record")).one()
        document = session.exec(select(Document).where(Document.key == f"interview:{interview.id}:record")).one()
    assert document.issued_on == D("2026-11-04")
    assert [name for name, _ in json.loads(record.recipients)] == ["区教委", "中共南岸区委、南岸区人民政府"]
    assert "2026年11月3日" in record.body_text and "校长王某；督导室李某" in record.body_text
    assert "约谈记录已于 2026-11-03 归档" in _refused(seeded, "interview", "record", str(interview.id), "--attendees", "x",
                                           "--record", "x", "--as-of", "2026-11-05")


def test_an_interview_raised_by_hand_names_its_reason_day_and_place(seeded):
    result = run_cli("interview", "raise", "--unit", "S003", "--reason", "refusal", "--on", "2026-05-12", "--place",
                     "区教委三楼会议室", "--note", "拒绝督导组进校", "--as-of", "2026-05-06", env=_env(seeded))
    assert result.returncode == 0, result.stderr
    with session_scope() as session:
        interview = session.exec(select(Interview)).one()
        notice = session.exec(select(Notice).where(Notice.kind == "interview_summons")).one()
    assert (interview.scheduled_on, interview.place, interview.item_id) == (D("2026-05-12"), "区教委三楼会议室", None)
    assert "拒不接受教育督导（拒绝督导组进校）" in notice.body_text and "2026年5月12日在区教委三楼会议室" in notice.body_text
    unknown = _refused(seeded, "interview", "raise", "--unit", "S003", "--reason", "rude", "--on", "2026-05-12")
    assert "rude" in unknown and "refusal（拒不接受教育督导）" in unknown
    assert "早于通知日" in _refused(seeded, "interview", "raise", "--unit", "S003", "--reason", "safety",
                                "--on", "2026-05-01", "--as-of", "2026-05-06")
    assert "S999" in _refused(seeded, "interview", "raise", "--unit", "S999", "--reason", "safety", "--on", "2026-05-12")


def test_accountability_by_hand_counts_toward_aggravation_and_bars_commendation(seeded, runtime):
    first = run_cli("accountability", "raise", "--unit", "D05", "--reason", "obstruction", "--note", "拒绝提供资料",
                    "--as-of", "2026-04-01", env=_env(seeded))
    assert first.returncode == 0 and "第1次" in first.stdout, first.stderr
    assert "已于 2026-04-01 以同一事由" in _refused(seeded, "accountability", "raise", "--unit", "D05", "--reason",
                                              "obstruction", "--as-of", "2026-04-01")
    assert "可选" in _refused(seeded, "accountability", "raise", "--unit", "D05", "--reason", "lazy")
    [item_id] = make_items("D05", D("2026-06-30"))  # an overdue item of another inspection reaches 问责
    sweep_days(D("2026-06-01"), D("2026-10-31"), runtime)
    with session_scope() as session:
        letter = session.exec(select(Notice).where(Notice.item_id == item_id, Notice.kind == "accountability")).one()
        assert "第2次被问责" in letter.body_text and "从重" in letter.body_text
        assert "D05" in sanctioned_units(session, 2026)
        assert "D05" not in sanctioned_units(session, 2027)
    later = run_cli("accountability", "raise", "--unit", "D05", "--reason", "threats",
                    "--as-of", (D("2026-10-31") + timedelta(days=2)).isoformat(), env=_env(seeded))
    assert later.returncode == 0 and "第3次" in later.stdout and "从重" in later.stdout, later.stderr
