"""A real year on a fresh ledger, driven only through the commands and import files people use (no simulated
people): the plan → the daily sweep opens the cycle → inspectors' findings with their own 整改要求 and 整改期限 →
rectification reports → the office's review (a file) → 回头看 → closed, for three schools, one of which relapses and is
taken round the ladder again. Time moves by the daily sweep's own function (`tasks.sweep.sweep_day`), one
transaction per working day, as the daily-sweep flow runs it."""

import csv
import json
from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models import Finding, Inspection, Notice, RectificationItem, Submission
from rules.runtime import load_runtime
from tasks.sweep import sweep_day
from tests.conftest import run_cli

D = date.fromisoformat
SCHOOLS = {"S002": "2026-ZH-030", "S005": "2026-ZH-033", "S008": "2026-ZH-036"}  # the plan's first three schools
PROBLEMS = [("晨检记录不全", "补全晨检台账，建立每日晨检责任人制度", "2026-06-30"),
            ("劳动教育课时不足", "按课程方案开足劳动教育课时，报送课表", "2026-07-10")]


def _env(settings) -> dict:
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url}


class Year:
    def __init__(self, settings, tmp_path):
        self.settings, self.tmp, self.rt, self.swept = settings, tmp_path, load_runtime(), date(2026, 1, 1)

    def cli(self, *args: str) -> str:
        result = run_cli(*args, env=_env(self.settings))
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    def sweep_until(self, last: date) -> None:
        """Every working day's sweep after the last one swept, up to `last`."""
        day = self.swept + timedelta(days=1)
        while day <= last:
            if self.rt.calendar.is_workday(day):
                with session_scope() as session:
                    sweep_day(session, day, self.rt)
            day += timedelta(days=1)
        self.swept = last

    def findings_file(self, code: str) -> str:
        """The findings template of the inspection, prefilled with its indicators, filled in as the team would."""
        path = self.tmp / f"{code}-findings.csv"
        self.cli("export", "template", "findings", "--inspection", code, "-o", str(path))
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        header = rows[0]
        for n, row in enumerate(rows[1:]):
            row[header.index("得分")] = row[header.index("分值")]
            if n < len(PROBLEMS):
                for column, value in zip(("发现问题", "整改要求", "整改期限"), PROBLEMS[n], strict=True):
                    row[header.index(column)] = value
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        return str(path)

    def items(self, code: str) -> dict[int, RectificationItem]:
        with session_scope() as session:
            return {seq: item for item, seq in session.exec(select(RectificationItem, Finding.seq).join(
                Finding, Finding.id == RectificationItem.finding_id).join(
                Inspection, Inspection.id == RectificationItem.inspection_id).where(Inspection.code == code)).all()}

    def stage(self, code: str) -> str:
        with session_scope() as session:
            return session.exec(select(Inspection.stage).where(Inspection.code == code)).one()

    def pending_reports(self) -> list[int]:
        with session_scope() as session:
            return list(session.exec(select(Submission.id).where(Submission.decision == "pending")).all())


def test_a_real_year_through_commands_and_imports(seeded, tmp_path):
    year = Year(seeded, tmp_path)
    plan = json.loads(year.cli("plan", "--year", "2026", "--json"))
    planned = {t["unit_code"]: t for t in plan["targets"] if t["unit_code"] in SCHOOLS and t["kind"] == "annual"}
    assert {code: t["inspection"] for code, t in planned.items()} == SCHOOLS

    for unit, code in SCHOOLS.items():  # the team visits on the planned day and hands in its findings file
        visit = D(planned[unit]["visit_on"])
        year.sweep_until(visit - timedelta(days=1))
        assert year.stage(code) == "notified"
        year.cli("import", "findings", year.findings_file(code), "--as-of", visit.isoformat(), "--actor", "I001")
    year.sweep_until(D("2026-06-01"))
    for code in SCHOOLS.values():  # the 督导意见书 carries the inspectors' own requirements and deadlines
        assert year.stage(code) == "rectifying"
        assert [(i.decision, i.deadline) for _seq, i in sorted(year.items(code).items())] == [
            (requirement, D(deadline)) for _text, requirement, deadline in PROBLEMS]

    reports = tmp_path / "整改报告.csv"  # every unit reports on every item in one file
    year.cli("export", "template", "rectification", "-o", str(reports))
    with reports.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        row[rows[0].index("整改情况")] = "已完成整改，附佐证材料"
    with reports.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert len(rows) == 1 + 2 * len(SCHOOLS)
    year.cli("import", "rectification", str(reports), "--as-of", "2026-06-10")
    year.sweep_until(D("2026-06-15"))
    reviews = tmp_path / "审核.csv"  # the office reviews them all in one file
    year.cli("export", "template", "reviews", "-o", str(reviews))
    with reviews.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        row[rows[0].index("审核结果")], row[rows[0].index("审核意见")] = "通过", "整改到位"
    with reviews.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert json.loads(year.cli("import", "reviews", str(reviews), "--as-of", "2026-06-15"))["accepted"] == 6
    assert year.pending_reports() == []

    year.sweep_until(D("2026-09-14"))  # 回头看 90 days after acceptance
    assert {year.stage(code) for code in SCHOOLS.values()} == {"recheck"}
    rechecks = tmp_path / "回头看.csv"
    year.cli("export", "template", "recheck", "-o", str(rechecks))
    with rechecks.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        relapse = row[header.index("督导编号")] == SCHOOLS["S008"] and row[header.index("问题序号")] == "1"
        row[header.index("回头看结果")] = "反弹" if relapse else "通过"
    with rechecks.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    year.cli("import", "recheck", str(rechecks), "--as-of", "2026-09-15", "--actor", "I001")
    year.sweep_until(D("2026-09-16"))
    assert [year.stage(SCHOOLS[unit]) for unit in ("S002", "S005", "S008")] == ["closed", "closed", "rectifying"]

    relapsed = year.items(SCHOOLS["S008"])[1]
    assert (relapsed.stage, relapsed.reopen_count, relapsed.ladder_step) == ("open", 1, "urge")
    with session_scope() as session:  # the relapse restarted the ladder at 督办, with a new deadline
        assert session.exec(select(Notice.kind).where(Notice.item_id == relapsed.id)).all() == ["urge"]
    year.cli("rectification", "submit", str(relapsed.id), "--text", "重新整改，晨检台账按日归档", "--as-of", "2026-09-25")
    [submission_id] = year.pending_reports()
    year.cli("rectification", "review", str(submission_id), "--accept", "--reason", "整改到位", "--as-of", "2026-09-28")
    recheck_day = year.items(SCHOOLS["S008"])[1].recheck_on
    year.sweep_until(recheck_day)
    year.cli("recheck", SCHOOLS["S008"], "1", "--passed", "--note", "复查巩固", "--as-of", recheck_day.isoformat())
    year.sweep_until(recheck_day + timedelta(days=3))
    assert {year.stage(code) for code in SCHOOLS.values()} == {"closed"}

    summary = json.loads(year.cli("summary", "--year", "2026", "--json"))
    assert summary["rechecks"] == {"passed": 6, "relapsed": 1}
    assert summary["rectification"]["closed"] == 6
    assert year.cli("audit", "verify").strip()
