"""TLS, login and the password: STARTTLS required by the server, implicit TLS (SMTPS) with login through the
command, the password from a Prefect Secret block found nowhere afterwards, a username without a password
refused before anything is claimed."""

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.delivery_support import AS_OF, notices_by_key, queue_notices, use_smtp
from tests.figures import tally
from tests.smtp_server import RecordingSmtpServer

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
    assert result.stderr.strip() == ("dudao：错误：SMTP 设置：设置了 DUDAO_SMTP_USERNAME 却没有密码"
                                     "（请设置 DUDAO_SMTP_PASSWORD，或将 DUDAO_SMTP_PASSWORD_BLOCK 设为一个 Prefect Secret 块）")
    assert {(n.status, n.attempts) for n in notices_by_key().values()} == {("pending", 0)}
    assert smtp_server.received == []


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


class TlsServer(RecordingSmtpServer):
    """The recording server with a certificate, login required: STARTTLS required before AUTH and MAIL, or
    (implicit) TLS from the first byte, as SMTPS on port 465."""

    def __init__(self, cert: Path, key: Path, implicit: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cert, self.key, self.implicit = cert, key, implicit

    def start(self) -> None:
        import ssl

        from tests.smtp_server import _PortZeroController

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        if self.implicit:  # aiosmtpd's auth_require_tls only knows STARTTLS; here every byte is encrypted already
            tls = {"ssl_context": context, "auth_required": True, "auth_require_tls": False}
        else:
            tls = {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
        self._controller = _PortZeroController(self, authenticator=self._authenticate, **tls)
        self._controller.start()
        self.port = self._controller.port


def test_starttls_and_login_when_configured(seeded, tmp_path, monkeypatch):
    from tasks.mail.delivery import deliver_pending_now, retry_notice

    ca, cert, key = _certificates(tmp_path)
    server = TlsServer(cert, key, credentials={"dudao": PASSWORD})
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
        assert server.logins == [("dudao", True)] and server.data_over_tls == [True]
    finally:
        server.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # it is implicit TLS
def test_implicit_tls_and_login_through_the_command(seeded, prefect_harness, tmp_path, monkeypatch, caplog):
    from tasks.mail.delivery import deliver_pending_now

    ca, cert, key = _certificates(tmp_path)
    server = TlsServer(cert, key, implicit=True, credentials={"dudao": PASSWORD})
    server.start()
    try:
        [notice] = queue_notices(1)
        # a certificate the client cannot verify: nothing is sent, the notice stays pending with the reason
        use_smtp(monkeypatch, server, DUDAO_SMTP_TLS="ssl", DUDAO_SMTP_USERNAME="dudao", DUDAO_SMTP_PASSWORD=PASSWORD,
                 DUDAO_SMTP_MAX_ATTEMPTS="1", SSL_CERT_FILE=str(tmp_path / "no-such-ca.pem"))
        assert deliver_pending_now(AS_OF).counts == {"sent": 0, "transient": 1, "permanent": 0}
        row = notices_by_key()[notice.key]
        assert row.status == "pending" and "CERTIFICATE_VERIFY_FAILED" in row.last_error
        assert server.received == [] and server.logins == []

        env = use_smtp(monkeypatch, server, DUDAO_SMTP_TLS="ssl", DUDAO_SMTP_USERNAME="dudao",
                       DUDAO_SMTP_PASSWORD=PASSWORD, SSL_CERT_FILE=str(ca), PREFECT_API_URL=prefect_harness)
        done = run_cli("notices", "deliver", "--as-of", AS_OF.isoformat(), env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.splitlines()[-1]) == {"sent": 1, "transient": 0, "permanent": 0, "stuck": 0}
        assert server.message_ids == {notice.message_id: 1}
        assert server.logins == [("dudao", True)] and server.data_over_tls == [True]
        [got] = server.received
        assert got["Subject"] == notice.subject  # the Chinese subject intact through TLS
        assert notices_by_key()[notice.key].status == "sent"
        assert PASSWORD not in done.stdout + done.stderr + caplog.text
    finally:
        server.stop()
