"""Deadlines on a provisional calendar year (2027: chinesecalendar does not know it) are marked: each document
that shows one says so, the office is told once a year, the sweep's run carries a warning artifact."""

import asyncio
import json
from datetime import date

from sqlmodel import select

from core.db import session_scope
from models import Document, Notice
from rules.runtime import Runtime
from rules.workdays import WorkdayCalendar
from tasks.operator.provisional_calendar import (
    publish_provisional_calendar_warning,
    warn_office_of_provisional_calendar,
)
from tests.ladder_support import make_items, sweep, sweep_days

D = date.fromisoformat
NOTE = "2027年的期限按临时日历推算"


def _reminders(item_id: int) -> list[tuple[str, str]]:
    with session_scope() as session:
        return [(n.body_text, n.body_html) for n in session.exec(
            select(Notice).where(Notice.item_id == item_id, Notice.kind == "reminder")).all()]


def test_a_document_whose_deadline_is_in_a_provisional_year_says_so(seeded, runtime):
    provisional = make_items("S001", D("2027-01-15"))[0]
    published = make_items("S002", D("2026-12-18"))[0]
    sweep_days(D("2026-12-01"), D("2027-01-15"), runtime)
    reminders = _reminders(provisional) + _reminders(published)
    # the 2026 item's reminders before its deadline show 2026; those after its 督办 show the new 2027 deadline
    shown_2027 = ["整改期限为2027年" in text for text, _ in reminders]
    assert len(reminders) == 6 and 0 < sum(shown_2027) < len(reminders)
    for (text, html), in_2027 in zip(reminders, shown_2027, strict=True):
        assert (NOTE in text) == (NOTE in html) == in_2027, text
    with session_scope() as session:
        paths = session.exec(select(Document.path).where(Document.item_id == provisional)).all()
    assert paths and all(NOTE in (seeded.out_dir / path).read_text(encoding="utf-8") for path in paths)


def test_with_an_override_file_for_the_year_no_document_is_marked(seeded, tmp_path, monkeypatch):
    overrides = tmp_path / "2027.txt"
    overrides.write_text("2027-01-01 holiday\n", encoding="utf-8")
    monkeypatch.setenv("DUDAO_CALENDAR_OVERRIDE_PATH", str(overrides))
    from core.settings import get_settings
    from rules.runtime import load_runtime

    get_settings.cache_clear()
    item_id = make_items("S001", D("2027-01-15"))[0]
    sweep_days(D("2027-01-04"), D("2027-01-15"), load_runtime())
    assert _reminders(item_id) and not any("临时日历" in text for text, _ in _reminders(item_id))


def _office_warnings() -> list[Notice]:
    with session_scope() as session:
        return session.exec(select(Notice).where(Notice.kind == "provisional_calendar")).all()


def test_the_office_is_warned_once_per_provisional_year(seeded, runtime):
    step = warn_office_of_provisional_calendar
    make_items("S001", D("2026-12-18"))
    assert sweep(D("2026-11-30"), runtime, step) == [] and _office_warnings() == []
    make_items("S002", D("2027-02-20"))
    assert sweep(D("2026-12-01"), runtime, step) == [2027]
    assert sweep(D("2026-12-02"), runtime, step) == []
    assert sweep(D("2027-01-05"), runtime, step) == []
    [notice] = _office_warnings()
    assert [name for name, _ in json.loads(notice.recipients)] == ["南岸区政府教育督导室"]
    assert "2027年" in notice.body_text and "日历覆盖文件" in notice.body_text


def test_no_warning_once_the_year_is_published_in_an_override(seeded):
    make_items("S002", D("2027-02-20"))
    with_file = Runtime(policy=None, calendar=WorkdayCalendar({D("2027-01-01"): False}))
    assert sweep(D("2026-12-01"), with_file, warn_office_of_provisional_calendar) == []
    assert _office_warnings() == []


def test_the_sweep_run_carries_a_warning_artifact(seeded, prefect_harness):
    from prefect import flow
    from prefect.client.orchestration import get_client

    @flow(name="provisional-warning-check")
    def check(as_of: date) -> list[int]:
        return publish_provisional_calendar_warning(as_of)

    assert check(D("2026-12-01")) == []
    make_items("S002", D("2027-02-20"))
    assert check(D("2026-12-01")) == [2027]

    async def latest() -> str:
        async with get_client() as client:
            artifact = await client.read_latest_artifacts()
            return next(a.data for a in artifact if a.key == "provisional-calendar")

    assert "2027年为临时日历" in asyncio.run(latest())
