"""Ladder commands through the installed `dudao`: calendar add (with and without an override file), policy show,
rectification submit/review, review request; bad policy and override files name the line, write nothing."""

import json
from datetime import date

import pytest
from sqlmodel import select

from core.db import session_scope
from models import Inspection, RectificationItem, ReviewRequest, Submission
from tests.conftest import REPO, run_cli
from tests.ladder_support import make_items, totals


def _env(settings, **extra) -> dict:
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url, **extra}


@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2026-09-30", "3", "2026-10-10"),  # across National Day onto the make-up Saturday
    ("2026-10-12", "-1", "2026-10-10"),
    # 2027 unknown to chinesecalendar: the law's provisional calendar: 春节 from 除夕 (Fri 5 Feb) four days,
    # two of them on the weekend, so 补假 on 9 and 10 Feb
    ("2027-02-05", "1", "2027-02-11"),
    ("2026-12-30", "3", "2027-01-05"),  # 元旦 2027 skipped
])
def test_calendar_add_prints_the_date_alone(ledger, start, n, expected):
    result = run_cli("calendar", "add", start, n, env=_env(ledger))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{expected}\n"
    assert ("2027年为临时日历" in result.stderr) == expected.startswith("2027")


def test_calendar_add_uses_the_override_file(ledger, tmp_path):
    overrides = tmp_path / "2027.txt"
    overrides.write_text("# 2027 春节\n2027-02-08 holiday\n2027-02-09 holiday\n2027-02-20 workday\n", encoding="utf-8")
    result = run_cli("calendar", "add", "2027-02-05", "1", env=_env(ledger, DUDAO_CALENDAR_OVERRIDE_PATH=str(overrides)))
    assert result.stdout == "2027-02-10\n"


def test_a_malformed_override_file_is_refused_naming_the_line(ledger, tmp_path):
    overrides = tmp_path / "2027.txt"
    overrides.write_text("2027-02-08 holiday\n\n2027-02-30 holiday\n", encoding="utf-8")
    result = run_cli("calendar", "add", "2027-02-05", "1", env=_env(ledger, DUDAO_CALENDAR_OVERRIDE_PATH=str(overrides)))
    assert result.returncode == 2 and result.stdout == ""
    assert f"{overrides}:3: '2027-02-30' 不是有效日期" in result.stderr


def test_policy_show_prints_the_policy_in_force(ledger):
    result = run_cli("policy", "show", env=_env(ledger))
    assert result.returncode == 0, result.stderr
    assert 'version = "2026.1"' in result.stdout
    assert "[ladder]\nreminder_workdays_before = [5, 1]\nurge_workdays = 15\n" in result.stdout


def test_a_bad_policy_is_refused_naming_the_line_and_nothing_moves(seeded, tmp_path):
    [item_id] = make_items("S022", date(2026, 9, 30))
    with session_scope() as session:
        submission = Submission(item_id=item_id, submitted_on=date(2026, 9, 20), text="已整改")
        session.add(submission)
        session.get(RectificationItem, item_id).stage = "submitted"
        session.flush()
        submission_id = submission.id
    bad = tmp_path / "policy.toml"
    source = (REPO / "data" / "policy.toml").read_text(encoding="utf-8")
    bad.write_text(source.replace("urge_workdays = 15", "urge_workdays = -15"), encoding="utf-8")
    line = source.splitlines().index(next(x for x in source.splitlines() if x.startswith("urge_workdays"))) + 1
    env = _env(seeded, DUDAO_POLICY_PATH=str(bad))
    before = totals()
    for args in (("policy", "show"), ("rectification", "review", str(submission_id), "--accept", "--reason", "ok")):
        result = run_cli(*args, env=env)
        assert result.returncode == 2
        assert result.stderr == f"dudao：错误：{bad}:{line}: ladder.urge_workdays: 应大于 0\n"
    assert totals() == before
    with session_scope() as session:
        assert session.get(Submission, submission_id).decision == "pending"


def test_submit_and_review_from_the_command_line(seeded):
    [item_id] = make_items("S023", date(2026, 9, 30))
    env = _env(seeded)
    result = run_cli("rectification", "submit", str(item_id), "--text", "已完善台账", "--as-of", "2026-09-20", env=env)
    assert result.returncode == 0, result.stderr
    assert run_cli("rectification", "submit", str(item_id), "--text", "again", env=env).returncode == 2
    with session_scope() as session:
        submission = session.exec(select(Submission).where(Submission.item_id == item_id)).one()
    result = run_cli("rectification", "review", str(submission.id), "--reject", "--reason", "材料不全",
                     "--as-of", "2026-09-25", env=env)
    assert result.returncode == 0 and "rejected" in result.stdout
    again = run_cli("rectification", "review", str(submission.id), "--accept", "--reason", "x", env=env)
    assert again.returncode == 2 and "已审核（rejected）" in again.stderr
    with session_scope() as session:
        assert session.get(RectificationItem, item_id).stage == "open"
    missing = run_cli("rectification", "submit", "999999", "--text", "x", env=env)
    assert missing.returncode == 2 and "没有 id 为 999999 的整改事项" in missing.stderr


def test_review_request_from_the_command_line(seeded):
    [item_id] = make_items("S024", date(2026, 9, 30), issued_on=date(2026, 9, 1))
    with session_scope() as session:
        code = session.get(Inspection, session.get(RectificationItem, item_id).inspection_id).code
    env = _env(seeded)
    late = run_cli("review", "request", code, "--reason", "有异议", "--as-of", "2026-09-30", env=env)
    assert late.returncode == 2 and "至 2026-09-16" in late.stderr
    ok = run_cli("review", "request", code, "--reason", "有异议", "--as-of", "2026-09-05", env=env)
    assert ok.returncode == 0 and "decide by 2026-10-05" in ok.stdout and "not suspended" in ok.stdout
    with session_scope() as session:
        assert session.exec(select(ReviewRequest)).one().requested_on == date(2026, 9, 5)



def test_summary_json_shows_the_five_ladder_keys_even_when_nothing_climbed(seeded):
    result = run_cli("summary", "--year", "2026", "--json", env=_env(seeded))
    summary = json.loads(result.stdout)
    assert summary["ladder"] == {"reminder": 0, "urge": 0, "interview": 0, "circular": 0, "accountability": 0}
    assert summary["aggravated_units"] == [] and summary["escalation"] == {f"level{n}": 0 for n in range(1, 5)}
