"""Working-day calendar: real 2026 statutory cases, 2027 overrides and fallback, malformed override files."""

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from chinese_calendar import constants as chinese_calendar_data
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InputError
from rules.workdays import WorkdayCalendar

D = date.fromisoformat
EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "data" / "calendar-overrides.example.txt"

# A small 2027 schedule, independent of the example file so editing that file cannot break these tests.
OVERRIDES_2027 = """\
# sample 2027 schedule for tests
2027-01-01 holiday   # 元旦

2027-02-08 holiday   # 春节
2027-02-09 holiday
2027-02-20 workday   # 调休上班 (Saturday)
2027-10-01 holiday
2027-10-09 workday   # 调休上班 (Saturday)
"""


@pytest.fixture(scope="module")
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


@pytest.fixture
def calendar_2027(tmp_path: Path) -> WorkdayCalendar:
    path = tmp_path / "calendar-overrides.txt"
    path.write_text(OVERRIDES_2027, encoding="utf-8")
    return WorkdayCalendar.from_file(path)


def test_the_2026_facts_these_tests_rely_on_hold_in_chinesecalendar() -> None:
    holidays, workdays = chinese_calendar_data.holidays, chinese_calendar_data.workdays
    assert all(D(f"2026-10-0{d}") in holidays for d in range(1, 8))
    assert all(D(f"2026-02-{d}") in holidays for d in range(15, 24))
    assert {D("2026-01-04"), D("2026-02-14"), D("2026-02-28"), D("2026-10-10")} <= set(workdays)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # National Day 2026: 1-7 Oct off, Sat 10 Oct is a 调休 working day.
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 2, "2026-10-09"),
        ("2026-09-30", 3, "2026-10-10"),  # lands on the make-up Saturday
        ("2026-10-01", 1, "2026-10-08"),
        ("2026-09-30", 10, "2026-10-20"),
        # Spring Festival 2026: 15-23 Feb off, Sat 14 Feb and Sat 28 Feb are working days.
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-24", 3, "2026-02-27"),
        ("2026-02-24", 4, "2026-02-28"),  # lands on the make-up Saturday
        # New Year 2026: 1-3 Jan off, Sun 4 Jan is a working day; counting crosses the year.
        ("2025-12-31", 1, "2026-01-04"),
        ("2025-12-30", 2, "2026-01-04"),
        # n == 0: start itself if a working day, else the next one.
        ("2026-09-30", 0, "2026-09-30"),
        ("2026-10-03", 0, "2026-10-08"),
        ("2026-10-10", 0, "2026-10-10"),
        # n < 0 counts backwards.
        ("2026-10-08", -1, "2026-09-30"),
        ("2026-10-12", -1, "2026-10-10"),
        ("2026-02-24", -1, "2026-02-14"),
        ("2026-01-04", -1, "2025-12-31"),
        ("2026-10-05", -2, "2026-09-29"),
    ],
)
def test_add_workdays_follows_the_statutory_calendar(
    calendar: WorkdayCalendar, start: str, n: int, expected: str
) -> None:
    assert calendar.add_workdays(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-10-01", False),  # National Day
        ("2026-10-07", False),
        ("2026-10-10", True),  # make-up Saturday
        ("2026-10-11", False),  # ordinary Sunday
        ("2026-09-20", True),  # make-up Sunday
        ("2026-02-16", False),  # Spring Festival, a Monday
        ("2026-02-28", True),
        ("2026-06-19", False),  # Dragon Boat, a Friday
        ("2026-06-22", True),
    ],
)
def test_is_workday_in_2026(calendar: WorkdayCalendar, day: str, expected: bool) -> None:
    assert calendar.is_workday(D(day)) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2026-09-30", "2026-09-30"), ("2026-10-01", "2026-10-08"), ("2026-02-13", "2026-02-13"),
     ("2026-10-11", "2026-10-12"), ("2026-02-15", "2026-02-24")],
)
def test_next_workday(calendar: WorkdayCalendar, day: str, expected: str) -> None:
    assert calendar.next_workday(D(day)) == D(expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-09-30", "2026-10-10", 3),  # 8, 9, 10 Oct
        ("2026-09-30", "2026-10-07", 0),
        ("2026-02-13", "2026-02-28", 6),  # 14, 24, 25, 26, 27, 28 Feb: start excluded, end included
        ("2025-12-31", "2026-01-04", 1),
        ("2026-10-10", "2026-10-10", 0),
        ("2026-10-10", "2026-09-30", 0),
    ],
)
def test_workdays_between(calendar: WorkdayCalendar, start: str, end: str, expected: int) -> None:
    assert calendar.workdays_between(D(start), D(end)) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-12-31", 1, "2027-01-04"),  # 1 Jan 2027 listed as a holiday
        ("2027-02-05", 1, "2027-02-10"),  # 8-9 Feb holidays, 6-7 Feb the weekend
        ("2027-02-19", 1, "2027-02-20"),  # listed make-up Saturday
        ("2027-02-20", 1, "2027-02-22"),  # unlisted Sunday stays a day off
        ("2027-10-08", 1, "2027-10-09"),
        ("2027-01-04", -1, "2026-12-31"),
    ],
)
def test_2027_with_overrides(
    calendar_2027: WorkdayCalendar, caplog: pytest.LogCaptureFixture, start: str, n: int, expected: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="dudao.calendar"):
        assert calendar_2027.add_workdays(D(start), n) == D(expected)
    assert caplog.records == []
    assert {2026, 2027} <= calendar_2027.known_years()


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-12-31", 1, "2027-01-04"),  # provisional 2027: 元旦 (Friday) is a holiday by law
        ("2027-02-04", 1, "2027-02-11"),  # 除夕 5 Feb to 8 Feb, 补假 9-10 Feb for the weekend days
        ("2027-02-19", 1, "2027-02-22"),  # no make-up Saturday without the file: 调休 cannot be foreseen
        ("2027-10-01", 0, "2027-10-06"),  # 国庆 1-3 Oct (Fri-Sun), 补假 Mon 4 and Tue 5 Oct
    ],
)
def test_2027_without_overrides_follows_the_law(start: str, n: int, expected: str) -> None:
    calendar = WorkdayCalendar()
    assert calendar.add_workdays(D(start), n) == D(expected)
    assert calendar.is_provisional(2027) and not calendar.is_provisional(2026)


def test_a_provisional_year_warns_once_per_year_per_calendar(caplog: pytest.LogCaptureFixture) -> None:
    calendar = WorkdayCalendar()
    with caplog.at_level(logging.WARNING, logger="dudao.calendar"):
        for offset in range(0, 400, 3):
            calendar.add_workdays(D("2027-01-01") + timedelta(days=offset), 5)
        calendar.workdays_between(D("2026-06-01"), D("2028-06-01"))
        calendar.is_workday(D("2027-12-31"))
    years = sorted(record.args[0] for record in caplog.records)
    assert years == [2027, 2028]
    assert all(record.name == "dudao.calendar" for record in caplog.records)
    assert "2027年" in caplog.records[0].getMessage() and "临时日历" in caplog.records[0].getMessage()
    assert 2027 not in calendar.known_years()

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="dudao.calendar"):
        WorkdayCalendar().is_workday(D("2027-03-01"))
    assert len(caplog.records) == 1  # a new calendar warns again


def test_outside_the_laws_years_monday_to_friday_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    calendar = WorkdayCalendar()
    with caplog.at_level(logging.WARNING, logger="dudao.calendar"):
        assert calendar.is_workday(D("2100-01-01"))  # a Friday; the lunar tables end before 2100
    assert "周一至周五" in caplog.records[0].getMessage()


def test_known_years() -> None:
    assert {2004, 2025, 2026} <= WorkdayCalendar().known_years()
    assert 2027 not in WorkdayCalendar().known_years()
    assert 2031 in WorkdayCalendar({D("2031-05-01"): False}).known_years()


def test_override_wins_over_chinesecalendar() -> None:
    calendar = WorkdayCalendar({D("2026-10-08"): False, D("2026-10-03"): True})
    assert calendar.add_workdays(D("2026-09-30"), 1) == D("2026-10-03")
    assert calendar.add_workdays(D("2026-09-30"), 2) == D("2026-10-09")
    assert not calendar.is_workday(D("2026-10-04"))  # chinesecalendar still answers unlisted 2026 days


def test_the_example_file_loads_and_describes_2027() -> None:
    calendar = WorkdayCalendar.from_file(EXAMPLE_FILE)
    assert 2027 in calendar.known_years()
    assert not calendar.is_workday(D("2027-10-01"))
    assert calendar.is_workday(D("2027-10-09"))
    assert calendar.add_workdays(D("2027-09-30"), 1) == D("2027-10-08")


def test_from_file_without_a_path_has_no_overrides() -> None:
    assert WorkdayCalendar.from_file(None).known_years() == WorkdayCalendar().known_years()


def test_from_file_with_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing.txt"):
        WorkdayCalendar.from_file(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("2027-02-30 holiday", "'2027-02-30' 不是有效日期"),
        ("2027-13-01 holiday", "'2027-13-01' 不是有效日期"),
        ("20270101 holiday", "'20270101' 不是 YYYY-MM-DD 格式的日期"),
        ("2027-1-1 holiday", "'2027-1-1' 不是 YYYY-MM-DD 格式的日期"),
        ("2027-01-04 vacation", "'vacation' 既不是 holiday 也不是 workday"),
        ("2027-01-04 holiday extra", "应为“YYYY-MM-DD holiday”"),
        ("2027-01-04", "应为“YYYY-MM-DD holiday”"),
        ("2027-01-01 workday", "2027-01-01 此处列为 workday，第 2 行却列为 holiday"),
    ],
)
def test_a_malformed_line_names_file_and_line(tmp_path: Path, bad_line: str, message: str) -> None:
    path = tmp_path / "calendar-overrides.txt"
    path.write_text(f"# header\n2027-01-01 holiday\n{bad_line}\n2027-10-01 holiday\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        WorkdayCalendar.from_file(path)
    assert f"calendar-overrides.txt:3: {message}" in str(raised.value)


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "calendar-overrides.txt"
    path.write_bytes("# 日历\n2027-01-01 holiday\n".encode() + "2027-02-08 holiday # 春节\n".encode("gbk"))
    with pytest.raises(InputError, match=r"calendar-overrides\.txt:3: 不是有效的 UTF-8"):
        WorkdayCalendar.from_file(path)


def test_a_repeated_line_with_the_same_value_and_a_bom_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "calendar-overrides.txt"
    path.write_text("\ufeff2027-01-01 holiday\n2027-01-01 HOLIDAY\n", encoding="utf-8")
    assert not WorkdayCalendar.from_file(path).is_workday(D("2027-01-01"))


def test_overrides_must_map_dates_to_booleans() -> None:
    with pytest.raises(InputError):
        WorkdayCalendar({"2027-01-01": False})  # type: ignore[dict-item]


@given(
    start=st.dates(min_value=D("2024-01-01"), max_value=D("2027-12-31")),
    n=st.integers(min_value=-60, max_value=60),
)
def test_add_workdays_agrees_with_a_day_by_day_walk(start: date, n: int) -> None:
    calendar = WorkdayCalendar({D("2027-10-01"): False, D("2027-10-09"): True})
    day, step, left = start, (1 if n >= 0 else -1), abs(n)
    if n == 0:
        while not calendar.is_workday(day):
            day += timedelta(days=1)
    while left:
        day += timedelta(days=step)
        left -= calendar.is_workday(day)
    assert calendar.add_workdays(start, n) == day
    if n > 0:
        assert calendar.workdays_between(start, day) == n
