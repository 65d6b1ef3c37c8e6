"""Secrecy: a covert inspection (暗访) shows nowhere before its visit day — not in notices, documents, e-mails,
audit details, Prefect flow runs, task runs, artifacts or logs, nor on the public site; unreleased reports
stay off the public site; the SMTP password shows in no output, log, artifact, parameter or error."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Inspection, Inspector, Unit
from rules.runtime import load_runtime
from tasks.cycle.opening import next_code, open_inspection
from tasks.exchange.district_file import load_district, read_district_file
from tests.conftest import REPO, run_cli
from tests.figures import tally
from tests.leak_search import find, folder_texts, ledger_texts, prefect_texts
from tests.smtp_server import RecordingSmtpServer

VISIT = date(2026, 3, 20)
SCHOOL = {"code": "S099", "name": "青石暗访对照小学（示例）", "email": "s099-qingshi@school.nanan.example.cn"}
SECRET_SCHOOL_TOML = f"""
[[units]]
code = "{SCHOOL['code']}"
name = "{SCHOOL['name']}"
kind = "school"
school_type = "primary"
students = 640
superior = "D06"
town = "T01"
email = "{SCHOOL['email']}"
"""


def _env(settings, api_url: str, **extra) -> dict:
    return {"DUDAO_DATABASE_URL": settings.ledger_url, "DUDAO_VAR_DIR": str(settings.var_dir),
            "PREFECT_API_URL": api_url, "PREFECT_LOGGING_LEVEL": "INFO", **extra}


def _cli(env: dict, *args: str) -> str:
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


def _open_covert_visit(tmp_path) -> str:
    """A school added after the annual plan (so nothing else names it), visited covertly on VISIT."""
    district = tmp_path / "district.toml"
    district.write_text((REPO / "data" / "nanan.toml").read_text(encoding="utf-8") + SECRET_SCHOOL_TOML,
                        encoding="utf-8")
    rt = load_runtime()
    with session_scope() as session:
        load_district(session, read_district_file(district))
        school = session.exec(select(Unit).where(Unit.code == SCHOOL["code"])).one()
        team = list(session.exec(select(Inspector.id).order_by(Inspector.code).limit(2)).all())
        inspection = open_inspection(session, code=next_code(session, 2026, "covert"), kind="covert", unit=school,
                                     visit_on=VISIT, team=team, rt=rt, as_of=date(2026, 1, 12))
        return inspection.code


def _everything(settings, api_url: str, since: datetime, site, outputs: list[str]) -> dict[str, dict[str, str]]:
    return {"ledger": ledger_texts(settings.ledger_url), "documents": folder_texts(settings.out_dir),
            "mail": folder_texts(settings.outbox_dir), "site": folder_texts(site),
            "prefect": prefect_texts(api_url, since), "output": dict(enumerate(outputs))}


# What each step writes, and so where a secret could show, is the same on either backend: each runs once (SQLite).
def test_a_covert_inspection_leaks_nowhere_before_its_visit_backend_independent(seeded, prefect_harness, tmp_path):
    since = datetime.now(UTC) - timedelta(seconds=5)
    env = _env(seeded, prefect_harness)
    outputs = [_cli(env, "simulate", "--year", "2026", "--seed", "5", "--until", "2026-01-12")]
    code = _open_covert_visit(tmp_path)
    eve = (VISIT - timedelta(days=1)).isoformat()
    outputs.append(_cli(env, "simulate", "--year", "2026", "--seed", "5", "--until", eve))
    outputs.append(_cli(env, "sweep", "--as-of", eve))
    outputs.append(_cli(env, "publish", "--out", str(tmp_path / "site"), "--as-of", eve))
    secrets = [SCHOOL["name"], SCHOOL["code"], SCHOOL["email"], code]
    sources = _everything(seeded, prefect_harness, since, tmp_path / "site", outputs)
    _assert_searched_somewhere(sources)
    for kind, texts in sources.items():
        assert find(texts, secrets, f"covert.{kind}") == [], f"covert inspection leaked in {kind}"
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.code == code)).one()
        plan = session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection",
                                                     AuditEvent.entity_id == inspection.id)).one()
        assert plan.detail == '{"covert": true, "sealed_until_visit": true}'

    # After the visit the same search finds it: the search itself works.
    _cli(env, "simulate", "--year", "2026", "--seed", "5", "--until", "2026-04-20")
    _cli(env, "publish", "--out", str(tmp_path / "site-after"), "--as-of", "2026-04-20")
    after = {"documents": folder_texts(seeded.out_dir), "mail": folder_texts(seeded.outbox_dir),
             "site": folder_texts(tmp_path / "site-after")}
    for kind in ("documents", "mail"):
        assert find(after[kind], [SCHOOL["name"]], f"covert.control.{kind}"), f"no {kind} after the visit"
    _unreleased_reports_stay_off_the_site(after["site"], date(2026, 4, 20))


def _assert_searched_somewhere(sources: dict[str, dict[str, str]]) -> None:
    """No vacuous pass: the places searched hold what the run produced."""
    prefect = sources["prefect"]
    for what in ("flow_run", "task_run", "artifact", "log"):
        assert any(source.startswith(what) for source in prefect), f"no Prefect {what} found to search"
    assert sources["documents"] and sources["mail"] and sources["site"] and sources["ledger"]


def _unreleased_reports_stay_off_the_site(site: dict[str, str], as_of: date) -> None:
    with session_scope() as session:
        issued = session.exec(select(Inspection).where(Inspection.issued_on.is_not(None))).all()
    unreleased = [i.code for i in issued if i.released_on is None or i.released_on > as_of
                  or i.published_on is None or i.published_on > as_of]
    published = [i.code for i in issued if i.code not in unreleased]
    assert unreleased and published, "the scenario needs both released and unreleased reports"
    assert find(site, unreleased, "unreleased.site") == []
    assert {code for _, code in find(site, published, "published.control.site")} == set(published)
    tally("leaks.unreleased_reports_checked", len(unreleased))


def test_the_smtp_password_shows_nowhere_backend_independent(ledger, prefect_harness, tmp_path):
    """A refused login, then a good one: the password appears in no output, error, log, artifact or parameter."""
    password = "Pw-7c1e-督导-secret"
    server = RecordingSmtpServer(credentials={"dudao": "the-right-one"})
    server.start()
    try:
        since = datetime.now(UTC) - timedelta(seconds=5)
        env = _env(ledger, prefect_harness, DUDAO_SMTP_HOST="127.0.0.1", DUDAO_SMTP_PORT=str(server.port),
                   DUDAO_SMTP_USERNAME="dudao", DUDAO_SMTP_PASSWORD=password)
        from tests.test_faults import _driver

        _driver(env, "prepare")
        refused = run_cli("sweep", "--as-of", "2026-05-15", env=env)
        after_refusal = ledger_texts(ledger.ledger_url)
        server.credentials = {"dudao": password}
        accepted = run_cli("sweep", "--as-of", "2026-05-15", env=env)
        assert len(server.received) > 0
        outputs = [refused.stdout + refused.stderr, accepted.stdout + accepted.stderr]
        sources = _everything(ledger, prefect_harness, since, tmp_path / "no-site", outputs)
    finally:
        server.stop()
    assert any("535" in body for body in after_refusal.values()), "the refused login left no error to search"
    assert any(source.startswith("log") for source in sources["prefect"])
    sources["ledger-after-refusal"] = after_refusal
    for kind, texts in sources.items():
        assert find(texts, [password], f"password.{kind}") == [], f"the SMTP password leaked in {kind}"
