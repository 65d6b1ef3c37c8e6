"""The provisional calendar's rule against chinesecalendar's published years (pure rules: no backend)."""

from datetime import date

import chinese_calendar
import pytest
from chinese_calendar import constants as published
from lunardate import LunarDate

from rules.holiday_law import days_off, law_for, statutory_holidays
from rules.workdays import WorkdayCalendar

LABELS = {"元旦": "New Year's Day", "春节": "Spring Festival", "清明节": "Tomb-sweeping Day", "劳动节": "Labour Day",
          "端午节": "Dragon Boat Festival", "中秋节": "Mid-autumn Festival", "国庆节": "National Day"}
EXTRAORDINARY = {"Anti-Fascist 70th Day"}  # 2015's one-off day: a State Council decision, not the law


@pytest.mark.parametrize("year", range(2010, 2027))
def test_each_statutory_day_of_the_rule_is_a_published_holiday_of_that_festival(year):
    for day, festival in statutory_holidays(year).items():
        assert not chinese_calendar.is_workday(day), f"{day} {festival}"
        label = published.holidays.get(day)
        # chinesecalendar leaves a few weekend days inside a block unlabelled (端午 2012-06-23, a Saturday)
        assert label == LABELS[festival] or (label is None and day.weekday() >= 5), f"{day} {festival}: {label}"


@pytest.mark.parametrize("year", range(2010, 2027))
def test_every_festival_chinesecalendar_publishes_is_one_the_rule_knows(year):
    published_labels = {label for day, label in published.holidays.items() if day.year == year}
    rule_labels = {LABELS[festival] for festival in statutory_holidays(year).values()}
    assert published_labels - EXTRAORDINARY == rule_labels


@pytest.mark.parametrize(("year", "days"), [(2010, 3), (2014, 3), (2024, 3), (2025, 4), (2026, 4), (2027, 4)])
def test_spring_festival_days_follow_the_law_in_force(year, days):
    assert list(statutory_holidays(year).values()).count("春节") == days


@pytest.mark.parametrize(("year", "eve"), [(2013, True), (2014, False), (2024, False), (2025, True)])
def test_the_spring_festival_starts_on_new_years_eve_under_the_2008_and_2024_laws(year, eve):
    spring = [day for day, festival in statutory_holidays(year).items() if festival == "春节"]
    first = LunarDate.from_solar_date(spring[0].year, spring[0].month, spring[0].day)
    assert (first.month, first.day >= 29) == (12, True) if eve else (first.month, first.day) == (1, 1)
    assert law_for(year).spring_festival_from_eve == eve


def test_labour_day_is_two_days_from_2025():
    assert [d for d, f in statutory_holidays(2024).items() if f == "劳动节"] == [date(2024, 5, 1)]
    assert [d for d, f in statutory_holidays(2027).items() if f == "劳动节"] == [date(2027, 5, 1), date(2027, 5, 2)]


def test_a_holiday_on_a_weekend_gives_the_next_free_weekday_off():
    assert date(2022, 1, 3) in days_off(2022) and not chinese_calendar.is_workday(date(2022, 1, 3))  # 元旦 on Sat
    assert {date(2027, 10, 4), date(2027, 10, 5)} <= days_off(2027)  # 国庆 Fri-Sun
    assert date(2027, 10, 6) not in days_off(2027)


def test_a_january_2027_deadline_skips_new_years_day():
    calendar = WorkdayCalendar()
    assert calendar.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar.workdays_between(date(2026, 12, 31), date(2027, 1, 8)) == 5
    assert calendar.provisional_years_between(date(2026, 12, 31), date(2027, 1, 4)) == [2027]


def test_an_override_file_or_a_published_year_replaces_the_provisional_one():
    calendar = WorkdayCalendar({date(2027, 1, 1): False})
    assert not calendar.is_provisional(2027) and not calendar.is_provisional(2026)
    assert calendar.provisional_years_between(date(2026, 12, 1), date(2028, 1, 10)) == [2028]
