"""End to end through the Prefect UI in Debian's headless Chromium: a server this module starts (UI
included), a simulated cycle, its runs found by their Chinese names (SQLite only: a browser sees what the
server shows, whatever the backend). The emergency-inspection form (filled
and run by clicking, its artifact and logs, bad input refused) is tests/test_ui_emergency_form.py.
Screenshots: test-output/ui/."""

import os
import re
from pathlib import Path

import pytest

from deployments.local_server import running_server, server_env, stop
from tests.ui_stack import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    REPO,
    child_env,
    deployment_id,
    dudao,
    flow_runs,
    module_ledger,
    spawn,
    wait_for,
)

pytestmark = pytest.mark.slow
UNIT = "花园路明德小学（示例）"
SHOTS = OUTPUT / "ui"
DEPLOYMENT_PAGE = re.compile(r".*/deployments/deployment/[^/]+(\?.*)?$")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Server with UI, a ledger simulated to 2026-04-15, and `dudao serve --only emergency-inspection`."""
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make deps-system` installs Debian's chromium"
    tmp = tmp_path_factory.mktemp("ui")
    SHOTS.mkdir(parents=True, exist_ok=True)
    ledger_url = module_ledger(tmp)
    with running_server(tmp / "prefect", log=SHOTS / "server.log") as server:
        env = child_env(server_env(tmp / "prefect", server.api_url), ledger_url, tmp / "var")
        serving = spawn([str(REPO / ".venv/bin/dudao"), "serve", "--only", "emergency-inspection"], env,
                        SHOTS / "serve.log")
        try:
            dudao("simulate", "--year", "2026", "--until", "2026-04-15", env=env)
            deployment_id(server.api_url, "emergency-inspection")
            yield {"server": server, "ledger": ledger_url}
        finally:
            stop(serving)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page.set_default_timeout(30_000)
    yield page
    page.close()


def shot(page, name: str) -> Path:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_emergency_form(page, url: str) -> None:
    page.goto(f"{url}/deployments")
    page.get_by_role("link", name="emergency-inspection").first.click()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run").click()
    page.wait_for_url("**/run**")


def choose_unit(page, unit: str) -> None:
    """The unit field is a list drawn from the ledger's units at deploy time."""
    page.locator(".schema-form-property-string .p-select-button__control").first.press("ArrowDown")
    page.get_by_role("option", name=unit, exact=True).click()


def pick_date(page, iso: str, field: int) -> None:
    """Fill the form's `field`-th date field (0: the day, 1: the rectification deadline)."""
    page.get_by_role("button", name="date", exact=True).nth(field).click()
    page.get_by_text("Select date").last.click()
    page.locator("input[type=date]").last.fill(iso)
    page.get_by_role("button", name="Apply").last.click()


def submit_and_find_run(page, api_url: str, before: set[str]) -> dict:
    """Submit as a person would: a Prefect server on SQLite may answer 503 while it is busy writing; the UI
    then shows "Something went wrong trying to create a flow run" and stays on the form, and the person
    submits again. Any other refusal fails the test with a screenshot."""

    def new_run():
        runs = [r for r in flow_runs(api_url) if r["id"] not in before]
        return runs[0] if runs else None

    for attempt in range(1, 4):
        with page.expect_response(lambda r: r.url.endswith("/create_flow_run"), timeout=90_000) as answer:
            page.get_by_role("button", name="Submit").click()
        status = answer.value.status
        if status < 500:
            break
        shot(page, f"submit-refused-{attempt}")
        assert new_run() is None, f"the server answered {status} yet made a run"
        page.wait_for_timeout(2_000 * attempt)
    assert status < 300, (shot(page, "submit-refused"), f"the server answered {status}: {answer.value.text()}")
    page.wait_for_url(DEPLOYMENT_PAGE)
    return wait_for(new_run, 30, "the flow run the form created")


def run_ids(api_url: str) -> set[str]:
    return {r["id"] for r in flow_runs(api_url)}


def test_simulated_cycle_runs_are_found_by_their_chinese_names_sqlite_only(stack, page):
    url = stack["server"].url
    page.goto(f"{url}/runs")
    page.get_by_text("模拟2026年度督导 · 南岸区").first.wait_for()
    shot(page, "01-runs")
    page.get_by_text("模拟2026年度督导 · 南岸区").first.click()
    page.wait_for_url("**/flow-run/**")
    page.get_by_text("Completed").first.wait_for()
    page.get_by_text("Artifacts").first.click()
    page.get_by_text("2026年度督导台账汇总").first.wait_for()
    shot(page, "02-simulated-cycle-artifacts")
