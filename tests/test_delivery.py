"""The outbox delivered over real SMTP (a recording aiosmtpd on a loopback port) and into the Maildir:
through the deliver-outbox flow and its Prefect task, the CLI, and a sender killed with SIGKILL mid-batch."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text, update
from sqlmodel import select

from dudao.db import session_scope
from dudao.settings import get_settings
from models import Notice, Unit
from tasks.outbox import Paper, issue
from tests.conftest import REPO, run_cli
from tests.figures import tally
from tests.smtp_server import RecordingSmtpServer

AS_OF = date(2026, 5, 15)
TITLE = "整改提醒/催办（第一次）"  # a '/' in a title must not become a path in the attachment's name
DUDAO = str(Path(sys.executable).parent / "dudao")


def queue_notices(count: int, title: str = TITLE) -> list[Notice]:
    """`count` reminders to schools S001..., filed and queued by the real outbox (tasks/outbox.issue)."""
    with session_scope() as session:
        units = session.exec(select(Unit).where(Unit.code.like("S%")).order_by(Unit.code)).all()
        notices = []
        for i in range(count):
            unit = units[i % len(units)]
            context = {"unit": unit, "inspection": {"code": f"2026-{i:03d}"}, "finding": {"text": "校舍安全隐患整改"},
                       "deadline": date(2026, 6, 1), "workdays_left": 3}
            notices.append(issue(session, Paper(key=f"reminder:2026-{i:03d}:1", kind="reminder", context=context,
                                                issued_on=AS_OF, unit=unit, title=title)))
        session.flush()
        session.expunge_all()
    return notices


def notices_by_key() -> dict[str, Notice]:
    with session_scope() as session:
        rows = session.exec(select(Notice)).all()
        session.expunge_all()
    return {n.key: n for n in rows}


def use_smtp(monkeypatch, server, **extra: str) -> dict[str, str]:
    """Point the settings (and any `dudao` subprocess) at the recording server."""
    env = {"DUDAO_SMTP_HOST": server.hostname, "DUDAO_SMTP_PORT": str(server.port), **extra}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return env


def deliver_task_runs(state) -> list:
    """The deliver-notices task runs of a flow run (to see how often Prefect ran it)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    return [run for run in runs if run.name.startswith("deliver notices")]


def test_happy_path_chinese_subject_and_documents_intact(seeded, prefect_harness, smtp_server, monkeypatch):
    from flows.deliver_outbox import deliver_outbox

    use_smtp(monkeypatch, smtp_server)
    [notice] = queue_notices(1)
    html_file = next((seeded.out_dir / "2026").rglob("*.html"))
    html_file.with_suffix(".pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n")
    assert deliver_outbox(AS_OF) == {"sent": 1, "transient": 0, "permanent": 0, "stuck": 0}
    [got] = smtp_server.received
    assert got["Subject"] == "【整改提醒/催办（第一次）】南坪育才小学（示例）" == notice.subject
    assert got["Message-ID"] == notice.message_id
    assert [a.addr_spec for a in got["To"].addresses] == ["s001@school.nanan.example.cn"]  # the unit's contact
    assert got["From"].addresses[0].display_name == "南岸区政府教育督导室"
    assert "整改期限为" in got.get_body(("plain",)).get_content()
    assert "校舍安全隐患整改" in got.get_body(("html",)).get_content()
    html, pdf = got.iter_attachments()
    assert html.get_filename() == "整改提醒_催办（第一次）.html"
    assert html.get_content().encode() == html_file.read_bytes()
    assert pdf.get_filename() == "整改提醒_催办（第一次）.pdf" and pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == html_file.with_suffix(".pdf").read_bytes()
    row = notices_by_key()[notice.key]
    assert (row.status, row.attempts, row.last_error, row.attempt_token) == ("sent", 1, "", None)
    assert row.sent_at is not None


def test_421_then_451_are_retried_by_prefect_and_delivered_once(seeded, prefect_harness, smtp_server, monkeypatch):
    from flows.deliver_outbox import deliver_outbox

    use_smtp(monkeypatch, smtp_server)
    [notice] = queue_notices(1)
    smtp_server.reply_to_data("421 4.3.2 try again later", "451 4.3.0 local error in processing")
    state = deliver_outbox(AS_OF, return_state=True)
    # two tries raised after recording their outcomes; the counts add up all three
    assert state.result() == {"sent": 1, "transient": 2, "permanent": 0, "stuck": 0}
    assert [run.run_count for run in deliver_task_runs(state)] == [3]
    assert smtp_server.message_ids == {notice.message_id: 1}
    row = notices_by_key()[notice.key]
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")


def test_550_marks_the_notice_failed_with_the_reason_and_is_not_retried(seeded, prefect_harness, smtp_server,
                                                                          monkeypatch):
    from flows.deliver_outbox import deliver_outbox

    use_smtp(monkeypatch, smtp_server)
    [bad, good] = queue_notices(2)
    smtp_server.reply_to_recipient("s001@school.nanan.example.cn", "550 5.1.1 mailbox unavailable")
    state = deliver_outbox(AS_OF, return_state=True)
    assert state.result() == {"sent": 1, "transient": 0, "permanent": 1, "stuck": 0}
    assert [run.run_count for run in deliver_task_runs(state)] == [1]
    row = notices_by_key()[bad.key]
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "550 5.1.1 mailbox unavailable <s001@school.nanan.example.cn>"
    assert list(smtp_server.message_ids) == [good.message_id]
    assert deliver_outbox(AS_OF) == {"sent": 0, "transient": 0, "permanent": 0, "stuck": 0}  # failed stays failed

    listed = run_cli("notices", "--failed", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [(r["key"], r["last_error"]) for r in json.loads(listed.stdout)] == [(bad.key, row.last_error)]


def test_retry_by_hand_uses_the_units_corrected_address(seeded, smtp_server, monkeypatch):
    use_smtp(monkeypatch, smtp_server)
    [notice] = queue_notices(1)
    smtp_server.reply_to_recipient("s001@school.nanan.example.cn", "550 5.1.1 no such user")
    from tasks.delivery import deliver_pending_now

    assert deliver_pending_now(AS_OF).counts == {"sent": 0, "transient": 0, "permanent": 1}
    with session_scope() as session:
        session.exec(select(Unit).where(Unit.code == "S001")).one().email = "office@s001.nanan.example.cn"
    done = run_cli("notices", "retry", str(notice.id), "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"notice {notice.id}: sent"
    [got] = smtp_server.received
    assert [a.addr_spec for a in got["To"].addresses] == ["office@s001.nanan.example.cn"]
    again = run_cli("notices", "retry", str(notice.id), "--as-of", AS_OF.isoformat())
    assert again.returncode == 2 and "it is not sent twice" in again.stderr
    assert len(smtp_server.received) == 1


def test_server_down_notices_stay_pending_stuck_then_go_on_a_later_run(seeded, prefect_harness, smtp_server,
                                                                         monkeypatch):
    from flows.deliver_outbox import deliver_outbox
    from tasks.operator_artifacts import sweep_rows

    use_smtp(monkeypatch, smtp_server, DUDAO_SMTP_MAX_ATTEMPTS="1")
    notices = queue_notices(3)
    smtp_server.stop()
    assert deliver_outbox(AS_OF) == {"sent": 0, "transient": 3, "permanent": 0, "stuck": 3}
    rows = notices_by_key()
    assert all(rows[n.key].status == "pending" and "cannot connect" in rows[n.key].last_error for n in notices)
    with session_scope() as session:  # the daily sweep's table lists them
        stuck_rows = [r for r in sweep_rows(session, {}, {}) if r["类别"] == "滞留通知"]
    assert [r["项目"] for r in stuck_rows] == [n.key for n in notices]
    listed = run_cli("notices", "--stuck", "--json")
    assert [r["key"] for r in json.loads(listed.stdout)] == [n.key for n in notices]

    smtp_server.start()
    assert deliver_outbox(AS_OF) == {"sent": 3, "transient": 0, "permanent": 0, "stuck": 0}
    assert sorted(smtp_server.message_ids) == sorted(n.message_id for n in notices)
    assert set(smtp_server.message_ids.values()) == {1}


def test_server_down_at_first_then_up_during_prefects_backoff(seeded, prefect_harness, smtp_server, monkeypatch):
    from flows.deliver_outbox import deliver_outbox

    use_smtp(monkeypatch, smtp_server)
    [notice] = queue_notices(1)
    smtp_server.stop()

    def start_after_first_failure() -> None:
        deadline = time.monotonic() + 60
        while "cannot connect" not in notices_by_key()[notice.key].last_error and time.monotonic() < deadline:
            time.sleep(0.05)
        smtp_server.start()

    starter = threading.Thread(target=start_after_first_failure)
    starter.start()
    state = deliver_outbox(AS_OF, return_state=True)
    starter.join()
    assert state.result() == {"sent": 1, "transient": 1, "permanent": 0, "stuck": 0}
    assert [run.run_count for run in deliver_task_runs(state)] == [2]
    assert smtp_server.message_ids == {notice.message_id: 1}
    assert notices_by_key()[notice.key].attempts == 2


def test_a_header_with_a_newline_is_refused_and_the_rest_is_sent(seeded, smtp_server, monkeypatch):
    from tasks.delivery import deliver_pending_now

    use_smtp(monkeypatch, smtp_server)
    bad, good = queue_notices(2)
    with session_scope() as session:
        session.execute(update(Notice).where(Notice.id == bad.id).values(subject="通知\r\nBcc: all@example.cn"))
    assert deliver_pending_now(AS_OF).counts == {"sent": 1, "transient": 0, "permanent": 1}
    row = notices_by_key()[bad.key]
    assert row.status == "failed" and "subject contains a line break" in row.last_error
    assert list(smtp_server.message_ids) == [good.message_id]


def _ledger_state(url: str) -> dict[str, set[str]]:
    """Message-IDs of the notices by status, read from outside the sender (its own connection)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, message_id FROM notice")).all()
    engine.dispose()
    state: dict[str, set[str]] = {}
    for status, message_id in rows:
        state.setdefault(status, set()).add(message_id)
    return state


def _deliver_process(env: dict) -> subprocess.Popen:
    return subprocess.Popen([DUDAO, "notices", "deliver", "--as-of", AS_OF.isoformat()], cwd=REPO,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_between_waves(sender: subprocess.Popen, server, url: str, at_least: int) -> None:
    """SIGKILL once `at_least` notices are sent and the ledger has caught up with what the server accepted:
    the other messages of the batch are then on the wire, waiting for the reply to their DATA."""
    deadline = time.monotonic() + 240
    while sender.poll() is None and time.monotonic() < deadline:
        sent = len(_ledger_state(url).get("sent", ()))
        if sent >= at_least and sent == len(server.received):
            sender.send_signal(signal.SIGKILL)
            sender.wait()
            return
        time.sleep(0.01)
    raise AssertionError(f"the sender ended (rc {sender.poll()}) before the kill: {sender.stderr.read()[-2000:]}")


def test_a_sender_killed_mid_batch_then_run_again_delivers_each_notice_once(seeded, prefect_harness, smtp_server,
                                                                             monkeypatch):
    """The guarantee, asserted as it is: a message the server had accepted before the kill and whose outcome
    was not yet committed would come twice with one Message-ID; every other notice comes exactly once."""
    env = use_smtp(monkeypatch, smtp_server, DUDAO_SMTP_CONCURRENCY="4", PREFECT_API_URL=prefect_harness)
    notices = queue_notices(24)
    smtp_server.data_delay = 0.5  # each DATA answered after 0.5 s: the kill lands while 4 are on the wire
    _kill_between_waves(_deliver_process(env), smtp_server, seeded.ledger_url, at_least=8)
    at_kill, accepted_at_kill = _ledger_state(seeded.ledger_url), set(smtp_server.message_ids)
    assert 8 <= len(at_kill["sent"]) < len(notices), "the kill did not land mid-batch"
    in_flight = at_kill.get("sending", set())
    assert in_flight - accepted_at_kill, "no message was on the wire at the kill"
    accepted_not_recorded = accepted_at_kill - at_kill["sent"]
    assert accepted_not_recorded <= in_flight

    smtp_server.data_delay = 0.0
    again = _deliver_process(env)
    assert again.wait(timeout=240) == 0, again.stderr.read()[-2000:]
    after = _ledger_state(seeded.ledger_url)
    assert after == {"sent": {n.message_id for n in notices}}
    expected = {n.message_id: 2 if n.message_id in accepted_not_recorded else 1 for n in notices}
    assert dict(smtp_server.message_ids) == expected
    assert not accepted_not_recorded, "a message accepted just before the kill came twice (same Message-ID)"
    tally("faults.kill9.smtp-delivery")


def test_an_accepted_but_unrecorded_notice_is_sent_again_with_the_same_message_id(seeded, smtp_server, monkeypatch):
    """The window the guarantee leaves open, made on purpose: the server said 250, the run died before the
    commit. The next run re-sends only that notice, with the Message-ID the receiver already has."""
    from tasks.delivery import deliver_pending_now

    use_smtp(monkeypatch, smtp_server)
    first, second = queue_notices(2)
    assert deliver_pending_now(AS_OF).counts["sent"] == 2
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    token = f"{__import__('socket').gethostname()[:40]}/{dead.stdout.strip()}/0123456789abcdef"
    with session_scope() as session:  # as the killed run left it: claimed, outcome never committed
        session.execute(update(Notice).where(Notice.id == second.id).values(status="sending", attempt_token=token))
    assert deliver_pending_now(AS_OF).counts == {"sent": 1, "transient": 0, "permanent": 0}
    assert smtp_server.message_ids == {first.message_id: 1, second.message_id: 2}
    copies = [m for m in smtp_server.received if m["Message-ID"] == second.message_id]
    assert copies[0].get_body(("plain",)).get_content() == copies[1].get_body(("plain",)).get_content()


PASSWORD = "Dudao-Only-Here-7c1e"


@pytest.fixture
def login_server():
    server = RecordingSmtpServer(credentials={"dudao": PASSWORD})
    server.start()
    yield server
    server.stop()


def test_login_with_the_password_from_a_prefect_secret_block_which_leaks_nowhere(
        seeded, prefect_harness, login_server, monkeypatch, caplog):
    from datetime import UTC, datetime

    from prefect.blocks.system import Secret

    from flows.deliver_outbox import deliver_outbox
    from tests.leak_search import ledger_texts, prefect_texts

    since = datetime.now(UTC)
    Secret(value=PASSWORD).save("dudao-smtp-test", overwrite=True)
    use_smtp(monkeypatch, login_server, DUDAO_SMTP_USERNAME="dudao", DUDAO_SMTP_PASSWORD="wrong-pw-9f3a",
             DUDAO_SMTP_MAX_ATTEMPTS="1")
    [notice] = queue_notices(1)
    assert deliver_outbox(AS_OF)["stuck"] == 1  # 535 at login: transient, the server or the secret may change
    last_error = notices_by_key()[notice.key].last_error
    assert "535" in last_error and "wrong-pw-9f3a" not in last_error

    use_smtp(monkeypatch, login_server, DUDAO_SMTP_PASSWORD="", DUDAO_SMTP_PASSWORD_BLOCK="dudao-smtp-test")
    assert deliver_outbox(AS_OF)["sent"] == 1
    assert login_server.message_ids == {notice.message_id: 1}
    texts = {**ledger_texts(seeded.ledger_url), **prefect_texts(prefect_harness, since), "log": caplog.text}
    for secret in (PASSWORD, "wrong-pw-9f3a"):
        assert not [where for where, value in texts.items() if secret in value]
    tally("leaks.searched", len(texts))


def test_a_username_without_a_password_is_refused_at_start_and_nothing_is_claimed(seeded, smtp_server, monkeypatch):
    use_smtp(monkeypatch, smtp_server, DUDAO_SMTP_USERNAME="dudao")
    queue_notices(2)
    result = run_cli("notices", "deliver", "--as-of", AS_OF.isoformat())
    assert result.returncode == 2
    assert result.stderr.strip() == ("dudao: error: SMTP settings: DUDAO_SMTP_USERNAME is set but no password is "
                                     "(set DUDAO_SMTP_PASSWORD, or DUDAO_SMTP_PASSWORD_BLOCK to a Prefect Secret block)")
    assert {(n.status, n.attempts) for n in notices_by_key().values()} == {("pending", 0)}
    assert smtp_server.received == []


def test_without_smtp_the_maildir_gets_each_notice_once(seeded, prefect_harness, monkeypatch):
    notices = queue_notices(3)
    env = {"PREFECT_API_URL": prefect_harness}
    first = run_cli("notices", "deliver", "--as-of", AS_OF.isoformat(), env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.splitlines()[-1]) == {"sent": 3, "transient": 0, "permanent": 0, "stuck": 0}
    with session_scope() as session:  # as a run killed after writing the file, before recording it
        session.execute(update(Notice).where(Notice.id == notices[0].id).values(status="pending"))
    again = run_cli("notices", "deliver", "--as-of", AS_OF.isoformat(), env=env)
    assert json.loads(again.stdout.splitlines()[-1])["sent"] == 1
    files = sorted((seeded.outbox_dir / "new").iterdir())
    ids = [message_from_bytes(f.read_bytes(), policy=policy.default)["Message-ID"] for f in files]
    assert sorted(ids) == sorted(n.message_id for n in notices)
    assert all(b"\r\n" not in f.read_bytes() for f in files)  # Maildir lines end with LF


def test_a_claimed_notice_is_left_to_its_live_run_and_taken_over_when_that_run_is_gone(seeded, monkeypatch):
    from tasks.outbox_ledger import ClaimRequest, claim, new_token, release

    queue_notices(3)
    first, second = new_token(), new_token()
    assert len(claim(ClaimRequest(first, AS_OF))) == 3
    assert claim(ClaimRequest(second, AS_OF)) == []  # `first` is alive: its notices are not sent twice
    assert len(claim(ClaimRequest(second, AS_OF, claim_seconds=0))) == 3  # held past the lease: taken over
    release(second)
    assert {(n.status, n.attempt_token) for n in notices_by_key().values()} == {("pending", None)}
    third = new_token()
    assert len(claim(ClaimRequest(third, AS_OF))) == 3
    release(third)
    assert len(claim(ClaimRequest(new_token(), AS_OF))) == 3


def test_a_big_run_is_built_in_worker_processes_and_reuses_its_connections(seeded, smtp_server, monkeypatch):
    from tasks import smtp_delivery
    from tasks.delivery import deliver_pending_now

    use_smtp(monkeypatch, smtp_server, DUDAO_SMTP_CONCURRENCY="10")
    notices = queue_notices(250)  # groups of 100: full ones, so all three are built by the worker processes
    pools = []

    def counted_pool(*args, **kwargs):  # the real pool, counted
        pools.append(ProcessPoolExecutor(*args, **kwargs))
        return pools[-1]

    monkeypatch.setattr(smtp_delivery, "ProcessPoolExecutor", counted_pool)
    with session_scope() as session:  # one bad header in the middle: refused in a worker, the rest goes
        session.execute(update(Notice).where(Notice.id == notices[150].id).values(subject="a\nb"))
    outcome = deliver_pending_now(AS_OF)
    assert outcome.counts == {"sent": len(notices) - 1, "transient": 0, "permanent": 1}
    assert sorted(smtp_server.message_ids) == sorted(n.message_id for n in notices if n is not notices[150])
    assert set(smtp_server.message_ids.values()) == {1}
    assert smtp_server.connections <= 10 * 3  # at most one connection per worker and group of 100
    received = {m["Message-ID"]: m for m in smtp_server.received}
    assert received[notices[-1].message_id]["Subject"] == notices[-1].subject
    assert len(pools) == 1


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it (openssl)."""
    ca_key, ca, key, csr, cert = (folder / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    ext = folder / "san.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    for command in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
             "-subj", "/CN=dudao test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2",
             "-extfile", ext]):
        subprocess.run(["openssl", *map(str, command)], check=True, capture_output=True)
    return ca, cert, key


class StartTlsServer(RecordingSmtpServer):
    """The recording server, offering STARTTLS and requiring it before AUTH and MAIL."""

    def __init__(self, cert: Path, key: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cert, self.key = cert, key

    def start(self) -> None:
        import ssl

        from tests.smtp_server import _PortZeroController

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        self._controller = _PortZeroController(self, tls_context=context, require_starttls=True,
                                               authenticator=self._authenticate, auth_require_tls=True)
        self._controller.start()
        self.port = self._controller.port


def test_starttls_and_login_when_configured(seeded, tmp_path, monkeypatch):
    from tasks.delivery import deliver_pending_now, retry_notice

    ca, cert, key = _certificates(tmp_path)
    server = StartTlsServer(cert, key, credentials={"dudao": PASSWORD})
    server.start()
    try:
        use_smtp(monkeypatch, server, DUDAO_SMTP_TLS="none")
        [notice] = queue_notices(1)
        # without TLS the server answers 530 to MAIL: a 5xx, so failed, with the reason for the operator
        assert deliver_pending_now(AS_OF).counts == {"sent": 0, "transient": 0, "permanent": 1}
        assert notices_by_key()[notice.key].last_error == "530 Must issue a STARTTLS command first"
        use_smtp(monkeypatch, server, DUDAO_SMTP_TLS="starttls", DUDAO_SMTP_USERNAME="dudao",
                 DUDAO_SMTP_PASSWORD=PASSWORD, SSL_CERT_FILE=str(ca))
        assert retry_notice(notice.id, AS_OF).status == "sent"  # settings fixed: the operator retries it
        assert server.message_ids == {notice.message_id: 1}
    finally:
        server.stop()
