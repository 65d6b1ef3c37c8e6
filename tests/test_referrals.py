"""Illegal acts (违法办学, 师德失范 …) are referred to the enforcement bodies the first sweep after the visit that
found them (实施方案 §十五), once; before, only a 问责建议 months later mentioned a referral."""

import csv
import json
from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models import Finding, Notice
from tasks.cycle.due_steps import notify_due
from tasks.sweep import sweep_day
from tests.conftest import run_cli
from tests.publication_world import plan

VISIT = date(2026, 5, 12)


def test_an_illegal_finding_is_referred_the_morning_after_the_visit_once(seeded, runtime, tmp_path):
    env = {"DUDAO_VAR_DIR": str(seeded.var_dir), "DUDAO_DATABASE_URL": seeded.ledger_url}
    with session_scope() as session:
        inspection = plan(session, "S008", "2026-ZX-001", VISIT, kind="special", theme="民办学校规范办学")
        notify_due(session, inspection.notice_on, runtime)
    path = tmp_path / "findings.csv"
    assert run_cli("export", "template", "findings", "--inspection", "2026-ZX-001", "-o", str(path), env=env).returncode == 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, lead = list(csv.reader(handle))[:2]
    rows = [header]
    for text, severity in (("未经审批擅自举办高中学历教育", "违法"), ("食堂留样记录不全", "一般")):
        row = list(lead)
        row[header.index("发现问题")], row[header.index("问题性质")] = text, severity
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    imported = run_cli("import", "findings", str(path), "--as-of", VISIT.isoformat(), env=env)
    assert imported.returncode == 0, imported.stderr
    day = VISIT + timedelta(days=1)
    for _ in range(2):  # the same morning swept twice: one referral
        with session_scope() as session:
            sweep_day(session, day, runtime)
    with session_scope() as session:
        referrals = session.exec(select(Notice).where(Notice.kind == "referral")).all()
        findings = {f.seq: f for f in session.exec(select(Finding)).all()}
    assert len(referrals) == 1
    assert [name for name, _ in json.loads(referrals[0].recipients)][0] == "区教委"
    assert "未经审批擅自举办高中学历教育" in referrals[0].body_text and "移交" in referrals[0].body_text
    assert (findings[1].severity, findings[1].referred_on, findings[2].referred_on) == ("illegal", day, None)
