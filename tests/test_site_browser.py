"""The public site as a reader sees it: opened from disk in Debian's headless Chromium (Playwright), clicked
through from the index by year, kind and unit to a report. A unit's <script> shows as text and never runs;
the unreleased report and the covert inspection are nowhere; personal data is redacted on the page shown.
Screenshots: test-output/site/."""

import os

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.test_publication import SCRIPT, _build, world  # noqa: F401  (world is a fixture)
from tests.ui_stack import CHROMIUM, CHROMIUM_ARGS, OUTPUT

pytestmark = pytest.mark.slow
SHOTS = OUTPUT / "site"


@pytest.fixture
def site_page(world, tmp_path):  # noqa: F811
    """A page of headless Chromium with the built site; every dialog, page error and request is recorded."""
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make deps-system` installs Debian's chromium"
    out = _build(tmp_path / "site").out
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
        seen = {"dialogs": [], "errors": [], "requests": []}
        page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: seen["errors"].append(str(error)))
        page.on("request", lambda request: seen["requests"].append(request.url))
        try:
            yield page, out, seen
        finally:
            browser.close()


def test_a_reader_clicks_from_the_index_to_the_report_and_no_script_runs(site_page):
    page, out, seen = site_page
    page.goto((out / "index.html").as_uri())
    assert page.title() == "首页 · 南岸区教育督导报告公开"
    assert "共公开报告1份" in page.inner_text("main")
    for facet, listing in (("2026年", "years/2026.html"), ("年度综合督导", "kinds/annual.html")):
        page.click(f"text={facet}")
        assert page.url.endswith(listing)
        assert page.locator("a[href*='2026-ZH-001']").count() >= 1
        page.go_back()
    page.click("a[href='units/S001.html']")
    page.click("a[href*='2026-ZH-001']")
    assert page.url.endswith("reports/2026-ZH-001.html")
    page.screenshot(path=str(SHOTS / "report.png"), full_page=True)
    shown = page.inner_text("body")
    assert SCRIPT in shown  # the unit's markup is on the page as the characters it typed
    assert "<b>加粗</b> & 附件" in shown
    assert page.locator("main script, main b, main iframe").count() == 0  # and never became elements
    assert page.evaluate("document.scripts.length") == 0
    for personal in ("13812345678", "王小明", "500108200801011234"):
        assert personal not in shown
    assert "023-6299 0101" in shown  # the listed inspector's number stays
    assert seen["dialogs"] == [] and seen["errors"] == []
    assert all(url.startswith("file://") for url in seen["requests"]), seen["requests"]


def test_unreleased_and_covert_reports_are_nowhere_a_reader_can_go(site_page):
    page, out, seen = site_page
    pages = ["index.html", "years/2026.html", "kinds/annual.html", "inspectors.html"]
    pages += [p.relative_to(out).as_posix() for p in sorted((out / "units").glob("*.html"))]
    for name in pages:
        page.goto((out / name).as_uri())
        shown = page.inner_text("body")
        assert "UNRELEASED" not in shown and "2026-ZH-002" not in shown, name
        assert "COVERT" not in shown and "2026-AF-001" not in shown, name
        assert page.locator("a[href*='2026-ZH-002'], a[href*='2026-AF-001']").count() == 0, name
    with pytest.raises(PlaywrightError, match="ERR_FILE_NOT_FOUND"):  # no page to guess the address of
        page.goto((out / "reports" / "2026-ZH-002.html").as_uri())
    assert seen["dialogs"] == [] and seen["errors"] == []
