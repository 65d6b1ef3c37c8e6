"""The office's dashboard over HTTP on a small world: every figure equals what the ledger says row by row (the
pure rules applied to each row, and tasks.cycle.routine_visits.coverage for the visits); every number on the
page links to a list with that many rows; the charts are inline SVG whose bars link where the numbers do; a
unit, a visitor and an account of another role are refused. Runs on SQLite and on PostgreSQL."""

import html
import re

import pytest
from sqlmodel import select

from core.db import session_scope
from models import PortalUser
from portal.accounts import add_user
from rules.frequency import semester_of
from tasks.cycle.routine_visits import coverage
from tasks.operator.dashboard import dashboard
from tests.dashboard_support import expected_overdue, expected_week, make_dashboard_world, school_count
from tests.portal_support import OURS, TODAY, client, csrf_of, signed_in

PASSWORD = "督导室-correct horse 2026"
FIGURE = re.compile(r'<a (?:class="figure" )?href="(/office/dashboard/[^"]*)">(\d+)</a>')


@pytest.fixture
def world(seeded, runtime):
    make_dashboard_world(runtime)
    with session_scope() as session:
        add_user(session, "wang.li", "王丽", PASSWORD, "office", actor="operator")
    return runtime


def _office(username: str = "wang.li", lands: str | None = "/office"):
    browser = client()
    csrf = csrf_of(browser.get("/office/signin").text)
    answer = browser.post("/office/signin", data={"csrf": csrf, "username": username, "password": PASSWORD})
    assert lands is None or (answer.status_code == 200 and answer.url.path == lands), answer.text
    return browser


def test_the_figures_equal_what_the_ledger_says(world):
    with session_scope() as session:
        figures = dashboard(session, TODAY, world)
        visits = coverage(session, semester_of(TODAY), world)
    overdue = expected_overdue()
    assert figures["overdue"]["total"] == overdue["total"] == 4
    assert figures["overdue"]["by_step"] == overdue["by_step"] == {
        "awaiting": 1, "urge": 1, "interview": 1, "circular": 1, "accountability": 0}
    assert figures["overdue"]["units"] == len(overdue["units"]) == 2
    assert {u["code"]: u["by_step"] for u in figures["overdue"]["top_units"]} == overdue["units"]
    assert [u["code"] for u in figures["overdue"]["top_units"]] == ["S001", "S002"]  # the most overdue first
    week = expected_week()
    assert {k: figures["week"][k] for k in ("items", "rechecks", "visits")} == {
        k: week[k] for k in ("items", "rechecks", "visits")} == {"items": 1, "rechecks": 1, "visits": 1}
    assert figures["reports"] == {k: week[k] for k in ("review", "signoff", "publication")}
    assert figures["reports"] == {"review": 1, "signoff": 2, "publication": 2}
    cover = figures["coverage"]
    assert cover["schools"] == visits["schools"] == school_count()
    assert cover["schools"] - cover["covered"] == len(visits["short"]) and cover["covered"] == 3
    assert figures["grades"] == {"优秀": 1, "良好": 1, "合格": 0, "不合格": 1}


def _figures(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(href), int(n)) for href, n in FIGURE.findall(page)]


def _rows(page: str) -> int:
    table = page.split('<table class="listing">', 1)
    return table[1].split("</table>", 1)[0].count("<tr>") - 1 if len(table) == 2 else 0


def test_each_number_links_to_a_list_with_that_many_rows(world):
    browser = _office()
    page = browser.get("/office/dashboard")
    assert page.status_code == 200, page.text
    figures = _figures(page.text)
    assert len(figures) > 30 and any(n > 0 for _, n in figures)
    for href, n in set(figures):
        listing = browser.get(href)
        assert listing.status_code == 200, href
        total = int(re.search(r'共 <span class="total">(\d+)</span> 条', listing.text).group(1))
        assert (total, _rows(listing.text)) == (n, n), href


def test_the_charts_are_svg_whose_bars_link_to_the_lists(world):
    page = _office().get("/office/dashboard").text
    assert page.count("<svg") >= 4 and "<script" not in page and "style=" not in page
    bar_links = set(re.findall(r'<a href="([^"]+)"><rect ', page))
    assert html.unescape('/office/dashboard/overdue?step=urge') in {html.unescape(h) for h in bar_links}
    assert {html.unescape(h) for h in bar_links} <= {href for href, _ in _figures(page)} | {
        html.unescape(h) for h in re.findall(r'<a href="(/office/dashboard/[^"]+)">', page)}
    assert '/office/dashboard"' in _office().get("/office").text  # the office's home links to it


def test_a_list_pages_through_its_rows(world):
    browser = _office()
    first = browser.get("/office/dashboard/zones")
    assert first.status_code == 200 and _rows(first.text) == min(school_count(), 100)
    if school_count() > 100:
        assert "下一页" in first.text and _rows(browser.get("/office/dashboard/zones?page=1").text) > 0


def test_a_visitor_a_unit_and_another_role_are_refused(world):
    visitor = client()
    for path in ("/office/dashboard", "/office/dashboard/overdue"):
        answer = visitor.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/office/signin"
    unit = signed_in(OURS)
    answer = unit.get("/office/dashboard", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/office/signin"
    with session_scope() as session:
        add_user(session, "zhao.ke", "赵可", PASSWORD, "office", actor="operator")
        user = session.exec(select(PortalUser).where(PortalUser.username == "zhao.ke")).one()
        user.role = "inspector"  # an inspector may not read the office's figures
        session.add(user)
        add_user(session, "chen.zr", "陈主任", PASSWORD, "leader", actor="operator")
    other = _office("zhao.ke", lands=None)  # an inspector lands on /inspector
    for path in ("/office/dashboard", "/office/dashboard/overdue?step=urge", "/office/dashboard/grades?grade=优秀"):
        answer = other.get(path)
        assert answer.status_code == 403 and "无权访问" in answer.text and "S001" not in answer.text
    leader = _office("chen.zr")  # leadership reads what the office reads
    assert leader.get("/office/dashboard").status_code == 200


def test_an_unknown_list_or_filter_is_not_found(world):
    browser = _office()
    for path in ("/office/dashboard/nothing", "/office/dashboard/overdue?step=<b>", "/office/dashboard/week?what=x",
                 "/office/dashboard/reports?state=x", "/office/dashboard/grades?grade=x",
                 "/office/dashboard/overdue?unit=<i>S999</i>", "/office/dashboard/zones?zone=<i>Z99</i>"):
        answer = browser.get(path)
        assert answer.status_code == 404 and "<b>" not in answer.text and "<i>" not in answer.text, path
    assert browser.get("/office/dashboard/overdue?page=-1").status_code == 400
    assert browser.get("/office/dashboard/overdue?kind=x&step=urge").status_code == 200  # a stray parameter: ignored
