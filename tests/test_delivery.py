"""The outbox delivered over real SMTP (a recording aiosmtpd on a loopback port) and into the Maildir,
through the deliver-outbox flow and its Prefect task, and the CLI. Crashes: test_delivery_crash.py;
TLS, login and secrets: test_delivery_security.py."""

import json
import re
import threading
import time
from email import message_from_bytes, policy

from sqlalchemy import update
from sqlmodel import select

from core.db import session_scope
from models import Notice, Unit
from tasks.mail.build_workers import WorkerPool
from tests.conftest import run_cli
from tests.delivery_support import AS_OF, deliver_task_runs, notices_by_key, queue_notices, use_smtp


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
    from tasks.mail.delivery import deliver_pending_now

    assert deliver_pending_now(AS_OF).counts == {"sent": 0, "transient": 0, "permanent": 1}
    with session_scope() as session:
        session.exec(select(Unit).where(Unit.code == "S001")).one().email = "office@s001.nanan.example.cn"
    done = run_cli("notices", "retry", str(notice.id), "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"notice {notice.id}: sent"
    [got] = smtp_server.received
    assert [a.addr_spec for a in got["To"].addresses] == ["office@s001.nanan.example.cn"]
    again = run_cli("notices", "retry", str(notice.id), "--as-of", AS_OF.isoformat())
    assert again.returncode == 2 and "不会重复发送" in again.stderr
    assert len(smtp_server.received) == 1


def test_server_down_notices_stay_pending_stuck_then_go_on_a_later_run(seeded, prefect_harness, smtp_server,
                                                                         monkeypatch):
    from flows.deliver_outbox import deliver_outbox
    from tasks.operator.artifacts import sweep_rows

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
    assert [r["key"] for r in latest_table("notice-delivery") if r["类别"] == "滞留"] == [n.key for n in notices]

    smtp_server.start()
    assert deliver_outbox(AS_OF) == {"sent": 3, "transient": 0, "permanent": 0, "stuck": 0}
    assert sorted(smtp_server.message_ids) == sorted(n.message_id for n in notices)
    assert set(smtp_server.message_ids.values()) == {1}


def latest_table(key: str) -> list[dict]:
    """The rows of the newest table artifact with this key."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                           sort=ArtifactSort.CREATED_DESC, limit=1)
    return json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data


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
    from tasks.mail.delivery import deliver_pending_now

    use_smtp(monkeypatch, smtp_server)
    bad, good = queue_notices(2)
    with session_scope() as session:
        session.execute(update(Notice).where(Notice.id == bad.id).values(subject="通知\r\nBcc: all@example.cn"))
    assert deliver_pending_now(AS_OF).counts == {"sent": 1, "transient": 0, "permanent": 1}
    row = notices_by_key()[bad.key]
    assert row.status == "failed" and "subject 含有换行符" in row.last_error
    assert list(smtp_server.message_ids) == [good.message_id]


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


def test_a_message_the_mail_client_moved_to_cur_is_not_filed_again(seeded, monkeypatch):
    from tasks.mail import delivery
    from tasks.mail.maildir import _name

    notices = queue_notices(40)
    monkeypatch.setattr(delivery, "IN_PROCESS_MAX", 5)  # groups built and filed by the worker processes
    assert delivery.deliver_batch_to_maildir(AS_OF)["sent"] == 40
    outbox = seeded.outbox_dir
    read = [notices[0], notices[17], notices[39]]
    for notice in read:  # what a mail client does with a message it has shown: new/NAME -> cur/NAME:2,S
        (outbox / "new" / _name(notice.key)).rename(outbox / "cur" / f"{_name(notice.key)}:2,S")
    with session_scope() as session:  # as a run killed after filing, before recording: every notice again
        session.execute(update(Notice).values(status="pending"))
    assert delivery.deliver_batch_to_maildir(AS_OF)["sent"] == 40
    assert len(list((outbox / "new").iterdir())) == 37
    assert sorted(p.name for p in (outbox / "cur").iterdir()) == sorted(f"{_name(n.key)}:2,S" for n in read)


def test_a_big_run_is_built_in_worker_processes_and_reuses_its_connections(seeded, smtp_server, monkeypatch):
    from tasks.mail import build_workers
    from tasks.mail.delivery import deliver_pending_now

    use_smtp(monkeypatch, smtp_server, DUDAO_SMTP_CONCURRENCY="10")
    notices = queue_notices(250)  # groups of 100: full ones, so all three are built by the worker processes
    pools = []

    def counted_pool(*args, **kwargs):  # the real pool, counted
        pools.append(WorkerPool(*args, **kwargs))
        return pools[-1]

    monkeypatch.setattr(build_workers, "WorkerPool", counted_pool)
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


def test_a_big_maildir_run_is_built_and_filed_in_worker_processes_byte_for_byte(seeded, monkeypatch):
    from tasks.mail import build_workers, delivery
    from tasks.mail.maildir import _name
    from tasks.mail.notice_build import render

    notices = queue_notices(60)
    with session_scope() as session:  # one bad header in the middle: refused in a worker, the rest is filed
        session.execute(update(Notice).where(Notice.id == notices[30].id).values(subject="a\nb"))
    pools = []

    def counted_pool(*args, **kwargs):  # the real pool, counted
        pools.append(WorkerPool(*args, **kwargs))
        return pools[-1]

    monkeypatch.setattr(build_workers, "WorkerPool", counted_pool)
    monkeypatch.setattr(delivery, "BATCH", 20)  # three groups, each built by the workers
    monkeypatch.setattr(delivery, "IN_PROCESS_MAX", 5)
    assert delivery.deliver_batch_to_maildir(AS_OF) == {"sent": 59, "transient": 0, "permanent": 1}
    assert len(pools) == 1
    rows = notices_by_key()
    bad = rows[notices[30].key]
    assert bad.status == "failed" and "subject 含有换行符" in bad.last_error
    folder = seeded.outbox_dir / "new"
    assert len(list(folder.iterdir())) == 59
    settings = delivery.get_settings()
    with session_scope() as session:  # each file holds what this process builds from the same row
        for notice in notices:
            if notice is notices[30]:
                continue
            row = rows[notice.key]
            [spec] = delivery.specs_for(session, [row], settings)  # the portal link too
            expected = render(spec).replace(b"\r\n", b"\n")
            assert _boundaries_named((folder / _name(notice.key)).read_bytes()) == _boundaries_named(expected)
            assert row.status == "sent"
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    with session_scope() as session:  # as a run killed after filing, before recording: found, only recorded
        session.execute(update(Notice).where(Notice.id.in_([n.id for n in notices[:45]])).values(status="pending"))
    assert delivery.deliver_batch_to_maildir(AS_OF) == {"sent": 44, "transient": 0, "permanent": 1}
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before


def _boundaries_named(message: bytes) -> bytes:
    """The message with its MIME boundaries (random, drawn by the email package) named in order of appearance."""
    names: dict[bytes, bytes] = {}
    return re.sub(rb"={15}\d+==", lambda m: names.setdefault(m.group(), b"BOUNDARY-%d" % len(names)), message)


def test_the_maildir_is_read_by_the_standard_librarys_mailbox(seeded, monkeypatch):
    """Filed by hand (a fixed name per notice, linked from tmp/, so a repeated run files nothing twice: the
    stdlib's Maildir.add draws a new name each time), read as any Maildir client reads it: stdlib `mailbox`."""
    import mailbox

    from tasks.mail.delivery import deliver_batch_to_maildir

    notices = queue_notices(3)
    assert deliver_batch_to_maildir(AS_OF)["sent"] == 3
    box = mailbox.Maildir(seeded.outbox_dir, factory=None, create=False)
    messages = {m["Message-ID"]: m for m in box}
    assert sorted(messages) == sorted(n.message_id for n in notices)
    got = message_from_bytes(messages[notices[0].message_id].as_bytes(), policy=policy.default)
    assert got["Subject"] == notices[0].subject and got.get_body(("html",)) is not None
    assert [a.get_filename() for a in got.iter_attachments()] == ["整改提醒_催办（第一次）.html",
                                                                   "整改提醒_催办（第一次）.pdf"]
    assert all(m.get_subdir() == "new" for m in box)  # unread, as a client shows them
