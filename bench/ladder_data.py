"""Synthetic ledgers for the ladder benchmark: the sample district plus N open rectification items, of which a
given fraction is due on the sweep day (spread over the five ladder steps), inserted in bulk (executemany on
SQLite, COPY on PostgreSQL), never through the ORM."""

import random
from datetime import date, timedelta

from sqlalchemy import create_engine, text

from rules.ladder import reminder_day
from rules.workdays import WorkdayCalendar

# Which step a due item is due for (share of the due items).
DUE_MIX = (("reminder", 0.4), ("urge", 0.25), ("interview", 0.15), ("circular", 0.1), ("accountability", 0.1))
ITEMS_PER_INSPECTION = 10

INSPECTION_COLS = ("id", "code", "year", "kind", "unit_id", "stage", "version", "covert", "visit_on", "issued_on")
FINDING_COLS = ("id", "inspection_id", "seq", "area", "text", "severity", "rebutted", "withdrawn", "level",
                "level_since", "needs_escalation")
ITEM_COLS = ("id", "finding_id", "inspection_id", "unit_id", "stage", "version", "decision", "deadline",
             "current_deadline", "ladder_step", "ladder_since", "reopen_count", "next_action_on", "step_due_on")


def fresh_database(url: str) -> None:
    """An empty PostgreSQL database at `url` (dropped first); SQLite files are made by migrate."""
    if not url.startswith("postgresql"):
        return
    base, name = url.rsplit("/", 1)
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()


def build_ledger(url: str, n_items: int, due_fraction: float, as_of: date, seed: int = 2026) -> int:
    """Migrate, load the sample district, insert `n_items` open items. Returns how many are due on `as_of`."""
    from core.db import migrate, session_scope
    from core.settings import get_settings
    from tasks.exchange.district_file import load_district, read_district_file

    fresh_database(url)
    migrate(url)
    with session_scope() as session:
        load_district(session, read_district_file(get_settings().district_path))
    engine = create_engine(url)
    with engine.connect() as conn:
        units = [row[0] for row in conn.execute(text("SELECT id FROM unit WHERE kind <> 'office' ORDER BY id"))]
    inspections, findings, items, due = _rows(n_items, due_fraction, as_of, units, random.Random(seed))
    raw = engine.raw_connection()
    try:
        for table, cols, rows in (("inspection", INSPECTION_COLS, inspections), ("finding", FINDING_COLS, findings),
                                  ("rectificationitem", ITEM_COLS, items)):
            _bulk_insert(raw, url, table, cols, rows)
        _finish(raw, url)
        raw.commit()
    finally:
        raw.close()
    engine.dispose()
    return due


def _bulk_insert(raw, url: str, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
    cursor = raw.cursor()
    if url.startswith("postgresql"):
        with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    cursor.close()


def _finish(raw, url: str) -> None:
    """Move the id sequences past the inserted ids (PostgreSQL) and refresh the planner's statistics."""
    cursor = raw.cursor()
    if url.startswith("postgresql"):
        for table in ("inspection", "finding", "rectificationitem"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    cursor.execute("ANALYZE")
    cursor.close()


def _rows(n_items: int, due_fraction: float, as_of: date, units: list[int], rnd: random.Random):
    calendar = WorkdayCalendar()
    n_inspections = max(1, -(-n_items // ITEMS_PER_INSPECTION))
    issued = as_of - timedelta(days=60)
    inspections = [(i, f"B-{i:07d}", as_of.year, "special", units[i % len(units)], "rectifying", 1, False,
                    issued - timedelta(days=10), issued) for i in range(1, n_inspections + 1)]
    findings, items, due = [], [], 0
    plan = _Planner(calendar, as_of)
    for i in range(1, n_items + 1):
        inspection = (i - 1) // ITEMS_PER_INSPECTION + 1
        findings.append((i, inspection, (i - 1) % ITEMS_PER_INSPECTION + 1, "学校管理", "校园安全隐患排查台账不完整",
                         "serious" if i % 7 == 0 else "general", False, False, 1, issued - timedelta(days=10), False))
        step = _draw_step(rnd) if rnd.random() < due_fraction else None
        due += step is not None
        items.append((i, i, inspection, units[(inspection - 1) % len(units)], "open", 1, "完善台账并书面报告。",
                      *plan.state(step, rnd)))
    return inspections, findings, items, due


def _draw_step(rnd: random.Random) -> str:
    roll, total = rnd.random(), 0.0
    for step, share in DUE_MIX:
        total += share
        if roll < total:
            return step
    return DUE_MIX[-1][0]


class _Planner:
    """Ladder states (deadline, current deadline, step, since, reopen count, next_action_on, step_due_on) that
    are due for a given step on `as_of`, or not due at all (the sweep must not read those)."""

    def __init__(self, calendar: WorkdayCalendar, as_of: date) -> None:
        self.calendar, self.as_of = calendar, as_of
        self.yesterday = calendar.add_workdays(as_of, -1)
        self.reminder_deadline = calendar.add_workdays(as_of, 5)
        self.future = {}

    def state(self, step: str | None, rnd: random.Random) -> tuple:
        a = self.as_of
        if step is None:
            deadline = a + timedelta(days=rnd.randint(30, 120))
            if deadline not in self.future:
                self.future[deadline] = reminder_day(deadline, 5, self.calendar)
            return deadline, deadline, "none", None, 0, self.future[deadline], None
        if step == "reminder":
            return self.reminder_deadline, self.reminder_deadline, "none", None, 0, a, None
        if step == "urge":
            return self.yesterday, self.yesterday, "reminder", a - timedelta(days=7), 0, a, None
        previous = {"interview": "urge", "circular": "interview", "accountability": "circular"}[step]
        return a - timedelta(days=60), a - timedelta(days=20), previous, a - timedelta(days=14), 0, a, a
