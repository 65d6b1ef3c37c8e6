"""The emergency-inspection form in the Prefect UI, driven in Debian's headless Chromium (browser tests run on
SQLite only: the backend cannot matter to what the UI shows). A server this module starts, a seeded ledger,
and `dudao serve --only emergency-inspection` started without any logging setting, as `make serve` does:

- a run started from the form completes, and its page shows the markdown artifact (what was created, for
  whom, documents, notices, what happens next) and INFO log lines, ours (tasks.cycle…) included;
- an empty reason is refused by the form before any run exists (the field says 不能为空);
- a deadline in the past (only the ledger can judge it) ends the run at once as Failed with one Chinese
  line as its state message and as its error log line, no exception of ours, the ledger unchanged.
Screenshots: test-output/ui-form/."""

import os
import re

import httpx
import pytest

from deployments.local_server import running_server, server_env, stop
from tests.ui_stack import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    REPO,
    api,
    child_env,
    deployment_id,
    flow_runs,
    ledger_counts,
    module_ledger,
    spawn,
    wait_finished,
    wait_for,
)

pytestmark = pytest.mark.slow
UNIT = "花园路明德小学（示例）"
SHOTS = OUTPUT / "ui-form"
DEPLOYMENT_PAGE = re.compile(r".*/deployments/deployment/[^/]+(\?.*)?$")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make deps-system` installs Debian's chromium"
    tmp = tmp_path_factory.mktemp("ui-form")
    SHOTS.mkdir(parents=True, exist_ok=True)
    ledger_url = module_ledger(tmp)
    with running_server(tmp / "prefect", log=SHOTS / "server.log") as server:
        env = child_env(server_env(tmp / "prefect", server.api_url), ledger_url, tmp / "var")
        env.pop("PREFECT_LOGGING_LEVEL")  # what `dudao serve` chooses itself, not what a test sets
        serving = spawn([str(REPO / ".venv/bin/dudao"), "serve", "--only", "emergency-inspection"], env,
                        SHOTS / "serve.log")
        try:
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


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_form(page, url: str) -> None:
    page.goto(f"{url}/deployments")
    page.get_by_role("link", name="emergency-inspection").first.click()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run").click()
    page.wait_for_url("**/run**")
    page.get_by_text("突发事件情况").first.wait_for()  # the parameters titled in Chinese


def choose_unit(page, unit: str) -> None:
    page.locator(".schema-form-property-string .p-select-button__control").first.press("ArrowDown")
    page.get_by_role("option", name=unit, exact=True).click()


def pick_date(page, iso: str, field: int) -> None:
    """The `field`-th date field while both are empty (0: the day, 1: the rectification deadline; fill the
    deadline first): a plain date, no "None" choice."""
    page.get_by_text("Select date").nth(field).click()
    page.get_by_text("Selected Date").last.wait_for()
    page.locator("input[type=date]").last.fill(iso)
    page.get_by_role("button", name="Apply").last.click()
    day = int(iso[8:])
    page.get_by_text(re.compile(rf"{day}(st|nd|rd|th), {iso[:4]}")).first.wait_for()


def submit(page, api_url: str, before: set[str]) -> dict:
    """Submit as a person would (a server on SQLite may answer 503 while busy: submit again)."""
    for attempt in range(1, 4):
        with page.expect_response(lambda r: r.url.endswith("/create_flow_run"), timeout=90_000) as answer:
            page.get_by_role("button", name="Submit").click()
        if answer.value.status < 500:
            break
        page.wait_for_timeout(2_000 * attempt)
    assert answer.value.status < 300, (shot(page, "submit-refused"), answer.value.text())
    page.wait_for_url(DEPLOYMENT_PAGE)
    return wait_for(lambda: next((r for r in flow_runs(api_url) if r["id"] not in before), None), 30,
                    "the flow run the form created")


def run_ids(api_url: str) -> set[str]:
    return {r["id"] for r in flow_runs(api_url)}


def test_a_run_from_the_form_shows_its_artifact_and_info_logs_sqlite_only(stack, page):
    url, api_url = stack["server"].url, stack["server"].api_url
    open_form(page, url)
    choose_unit(page, UNIT)
    page.locator("textarea").first.fill("4月16日午餐后多名学生出现腹痛呕吐，疑似食物中毒")
    pick_date(page, "2026-05-08", 1)
    pick_date(page, "2026-04-16", 0)
    shot(page, "01-form")
    run = submit(page, api_url, run_ids(api_url))
    finished = wait_finished(api_url, run["id"], timeout=120)
    assert finished["state_type"] == "COMPLETED", finished["state"]["message"]
    # The form prefills a random English run name in the browser; the flow's Chinese name replaces it (item 5).
    assert finished["name"] == f"2026年突发事件督导 · {UNIT}", finished["name"]
    [artifact] = api(api_url, "/artifacts/filter", {"flow_runs": {"id": {"any_": [run["id"]]}},
                                                    "artifacts": {"type": {"any_": ["markdown"]}}})
    assert artifact["key"].startswith("emergency-2026-")
    for words in ("督导编号", UNIT, "督导组", "2026-04-16", "2026-05-08", "重大教育突发事件督导情况报告",
                  "待投递（在发件箱中）", "deliver-outbox"):
        assert words in artifact["data"], words
    page.goto(f"{url}/runs/flow-run/{run['id']}")
    page.get_by_text(f"2026年突发事件督导 · {UNIT}").first.wait_for()
    page.get_by_text("已启动突发事件督导").first.wait_for()  # the flow's INFO line in the Logs tab
    page.get_by_text(re.compile("情况报告已报市政府教育督导室和区领导")).first.wait_for()  # our own logger's
    shot(page, "02-run-logs")
    page.goto(f"{url}/artifacts/artifact/{artifact['id']}")
    page.get_by_text("接下来").first.wait_for()
    page.get_by_text("重大教育突发事件督导情况报告").first.wait_for()
    shot(page, "03-run-artifact")


def test_an_empty_reason_is_refused_before_a_run_exists_sqlite_only(stack, page):
    url, api_url = stack["server"].url, stack["server"].api_url
    before_counts, before_ids = ledger_counts(stack["ledger"]), run_ids(api_url)
    open_form(page, url)
    choose_unit(page, "铜元局育才小学（示例）")
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("'reason' is a required property").first.wait_for()  # Prefect's own words, beside 不能为空
    shot(page, "04-empty-reason-refused")
    page.locator("textarea").first.fill("   ")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_timeout(3_000)
    shot(page, "04b-blank-reason-refused")
    assert "/run" in page.url  # still on the form
    assert run_ids(api_url) == before_ids and ledger_counts(stack["ledger"]) == before_counts
    refused = httpx.post(f"{api_url}/deployments/{deployment_id(api_url, 'emergency-inspection')}/create_flow_run",
                         json={"parameters": {"request": {"unit": UNIT, "reason": ""}}}, timeout=30)
    assert refused.status_code >= 400 and run_ids(api_url) == before_ids  # nor by a hand-made API call


def test_a_past_deadline_fails_at_once_with_one_chinese_line_sqlite_only(stack, page):
    url, api_url = stack["server"].url, stack["server"].api_url
    before = ledger_counts(stack["ledger"])
    open_form(page, url)
    choose_unit(page, UNIT)
    page.locator("textarea").first.fill("测试")
    pick_date(page, "2026-04-01", 1)
    pick_date(page, "2026-04-20", 0)
    run = submit(page, api_url, run_ids(api_url))
    finished = wait_finished(api_url, run["id"], timeout=120)
    assert finished["state_type"] == "FAILED"
    message = finished["state"]["message"]
    assert message == "整改期限 2026-04-01 不在发起日之后（督导自 2026-04-20 开始）", message
    page.goto(f"{url}/runs/flow-run/{run['id']}")
    page.get_by_text(message).first.wait_for()
    shot(page, "05-past-deadline-failed")
    logs = api(api_url, "/logs/filter", {"logs": {"flow_run_id": {"any_": [run["id"]]}}})
    messages = [log["message"] for log in logs]
    assert f"未启动突发事件督导：{message}" in messages, messages
    # the refusal is no exception of ours (Prefect's engine still logs its own FailedRun after the run ends)
    assert not any("InputError" in m or "ParameterTypeError" in m for m in messages), messages
    assert ledger_counts(stack["ledger"]) == before
