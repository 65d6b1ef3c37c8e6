"""A sender killed with SIGKILL in the middle of a batch, the one window that can send a notice twice (with
the same Message-ID), and claims: a notice claimed by a live run is left to it."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text, update

from core.db import session_scope
from models import Notice
from tests.conftest import REPO, commands_prefect
from tests.delivery_support import AS_OF, notices_by_key, queue_notices, use_smtp
from tests.figures import tally

DUDAO = str(Path(sys.executable).parent / "dudao")


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
                            env=commands_prefect({**os.environ, **env}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


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
    from tasks.mail.delivery import deliver_pending_now

    use_smtp(monkeypatch, smtp_server)
    first, second = queue_notices(2)
    assert deliver_pending_now(AS_OF).counts["sent"] == 2
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    token = f"{socket.gethostname()[:40]}/{dead.stdout.strip()}/0123456789abcdef"
    with session_scope() as session:  # as the killed run left it: claimed, outcome never committed
        session.execute(update(Notice).where(Notice.id == second.id).values(status="sending", attempt_token=token))
    assert deliver_pending_now(AS_OF).counts == {"sent": 1, "transient": 0, "permanent": 0}
    assert smtp_server.message_ids == {first.message_id: 1, second.message_id: 2}
    copies = [m for m in smtp_server.received if m["Message-ID"] == second.message_id]
    assert copies[0].get_body(("plain",)).get_content() == copies[1].get_body(("plain",)).get_content()


def test_a_claimed_notice_is_left_to_its_live_run_and_taken_over_after_the_lease(seeded, monkeypatch):
    from tasks.mail.outbox_claims import ClaimRequest, claim, new_token, release

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
