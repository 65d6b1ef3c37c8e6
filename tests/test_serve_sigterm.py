"""`dudao serve --with-server --portal-port P` (what `make serve` runs) stopped with SIGTERM, as a supervisor,
`kill` or a container stop does, stops the Prefect server and the portal it started, as Ctrl-C does: no
process left, both ports free.
The backend cannot matter (the ledger is only migrated): SQLite only."""

import os
import signal
import socket
import subprocess
import time

import httpx
import pytest

from deployments.local_server import free_port
from tests.ui_stack import REPO, wait_for

pytestmark = pytest.mark.slow


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment carries `marker` (every child of the serve we started inherits it)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as env:
                if marker.encode() in env.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("target", ["serve process", "process group"])
def test_sigterm_stops_the_server_and_the_portal_serve_started_sqlite_only(tmp_path, target):
    port, portal = free_port(), free_port()
    marker = f"DUDAO_SIGTERM_TEST={tmp_path.name}"
    env = {**os.environ, "DUDAO_VAR_DIR": str(tmp_path / "var"), "PREFECT_HOME": str(tmp_path / "prefect"),
           "DUDAO_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}", marker.split("=")[0]: tmp_path.name}
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        serving = subprocess.Popen([str(REPO / ".venv/bin/dudao"), "serve", "--with-server", "--port", str(port),
                                    "--only", "deliver-outbox", "--portal-port", str(portal)], env=env, cwd=REPO, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: "serving:" in log.read_text(errors="replace"), 240, "dudao serve to start serving")
        time.sleep(2)
        assert not _port_free(port) and len(_processes_with(marker)) >= 3
        assert "教育督导门户" in httpx.get(f"http://127.0.0.1:{portal}/", timeout=10).text
        if target == "process group":
            os.killpg(serving.pid, signal.SIGTERM)
        else:
            serving.send_signal(signal.SIGTERM)
        assert serving.wait(60) == 0, log.read_text(errors="replace")[-2000:]
        wait_for(lambda: not _processes_with(marker), 30, "every process serve started to end")
        wait_for(lambda: _port_free(port) and _port_free(portal), 30, f"ports {port} and {portal} to be free")
    finally:
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)


def test_make_serve_starts_the_portal_beside_the_prefect_ui():
    planned = subprocess.run(["make", "-n", "serve"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "dudao serve --with-server --host 127.0.0.1 --port 4200 --portal-port 8000" in planned
