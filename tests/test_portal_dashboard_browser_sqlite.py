"""The office's dashboard as a person sees it, in Debian's headless Chromium against `dudao portal serve`: the
charts are drawn (inline SVG under the portal's CSP: no script, no inline style), their bars visible and in
the charts' colours, and a bar clicked opens the list of what it counts. SQLite only, like the other browser
test (the HTTP tests run on both backends). Screenshots: test-output/portal/."""

import io

import pytest
from PIL import Image

from core import clock
from core.db import session_scope
from portal.accounts import add_user
from portal.dashboard_charts import GREEN, RED
from tests.conftest import ON_POSTGRES
from tests.dashboard_support import make_dashboard_world
from tests.test_portal_browser_sqlite import PASSWORD, SHOTS, portal_server  # noqa: F401, F811 - the fixture
from tests.ui_stack import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(ON_POSTGRES, reason="browser test: SQLite only (see docstring)")]


def _colours(png: bytes) -> set[tuple[int, int, int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return {colour for _, colour in image.getcolors(maxcolors=1 << 20)}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/office/signin")
    page.get_by_label("用户名").fill("wang.li")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="督导室仪表盘", exact=False).click()
    page.get_by_role("heading", name="督导室仪表盘").wait_for()


def test_the_dashboard_draws_its_charts_and_a_bar_opens_its_list_sqlite(portal_server, runtime):  # noqa: F811
    base, _env = portal_server
    make_dashboard_world(runtime, clock.today())  # the served portal's day is the real one
    with session_scope() as session:
        add_user(session, "wang.li", "王丽", PASSWORD, "office", actor="operator")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.set_default_timeout(20_000)
            _sign_in(page, base)
            charts = page.locator("figure.chart svg[role=img]")
            assert charts.count() >= 4
            for n in range(charts.count()):
                box = charts.nth(n).bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 20
            assert page.locator("figure.chart rect").first.is_visible()
            whole = page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
            assert len(_colours(whole)) > 20  # not blank
            coverage = page.get_by_role("img", name="挂牌督导覆盖", exact=False).screenshot(
                path=str(SHOTS / "dashboard-coverage.png"))
            assert {_rgb(GREEN), _rgb(RED)} <= _colours(coverage)  # covered and short schools both drawn
            page.set_viewport_size({"width": 390, "height": 844})  # a phone: the charts shrink to the screen
            for n in range(charts.count()):
                assert charts.nth(n).bounding_box()["width"] <= 390
            headers = page.locator("table.figures th")
            assert all(headers.nth(n).is_visible() for n in range(headers.count()))  # every column shown
            page.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=True)
            page.get_by_role("img", name="逾期整改事项（按问责阶梯）").locator("a rect").first.click()
            page.get_by_role("heading", name="逾期整改事项", exact=False).wait_for()
            assert page.locator("table.listing tr").count() >= 2
            page.screenshot(path=str(SHOTS / "dashboard-list.png"), full_page=True)
        finally:
            browser.close()
