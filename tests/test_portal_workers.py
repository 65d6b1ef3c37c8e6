"""`dudao portal serve --workers N`: the workers share one secret (made once, before them, and never read
half-written by a process racing to make it), so a link the CLI signed and the session cookie a worker signed
are good on every worker; on PostgreSQL the workers' pools together stay within the server's connections."""

import contextlib
import multiprocessing
import os
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from core.db import engine_for
from core.errors import InputError
from deployments.local_server import free_port, stop, wait_answering
from rules.connection_budget import MAX_PER_WORKER, pool_per_worker, portal_connections
from tasks.access import secret
from tests.conftest import REPO, run_cli

WORKERS = 2
BROWSERS = 24  # connections held open at once: the kernel spreads them over the workers


def _make_secret(path: str, start, out) -> None:
    start.wait()
    out.put(secret._stored_secret(Path(path)))


def _slow_token(nbytes: int) -> str:
    time.sleep(0.2)  # a slow disk or a descheduled process: the others arrive while the secret is made
    return os.urandom(nbytes).hex()


def test_processes_making_the_secret_at_once_all_read_the_same_whole_one(tmp_path, monkeypatch):
    monkeypatch.setattr(secret.secrets, "token_hex", _slow_token)  # the forked racers inherit it
    fork = multiprocessing.get_context("fork")
    for attempt in range(5):  # each round a new file, eight processes let loose on it at once
        path, start, out = tmp_path / f"round{attempt}" / "secret", fork.Barrier(8), fork.Queue()
        racers = [fork.Process(target=_make_secret, args=(str(path), start, out)) for _ in range(8)]
        for racer in racers:
            racer.start()
        read = {out.get(timeout=30) for _ in racers}
        for racer in racers:
            racer.join(timeout=30)
        assert read == {path.read_bytes().strip()} and len(path.read_bytes()) == 64, read
        assert os.listdir(path.parent) == ["secret"]  # no draft left behind
        assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_threads_asking_for_the_engine_at_once_share_one_engine_and_pool(tmp_path):
    url, start = f"sqlite:///{tmp_path / 'ledger.db'}", threading.Barrier(16)
    engines = []

    def ask() -> None:
        start.wait()
        engines.append(engine_for(url))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(engines) == 16 and len({id(engine) for engine in engines}) == 1
    engines[0].dispose()


def _workers(supervisor: subprocess.Popen) -> list[int]:
    """uvicorn's worker processes: the supervisor's children but multiprocessing's resource tracker."""
    children = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _worker_of_each_connection(port: int, workers: list[int]) -> dict[int, int]:
    """client's port -> the worker holding the other end of its open connection to `port`."""
    by_inode = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        if int(local.split(":")[1], 16) == port and state == "01":  # ESTABLISHED, the server's end
            by_inode[f"socket:[{inode}]"] = int(remote.split(":")[1], 16)
    held = {}
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if (target := os.readlink(fd)) in by_inode:
                    held[by_inode[target]] = pid
    return held


def _client_port(answer: httpx.Response) -> int:
    return answer.extensions["network_stream"].get_extra_info("client_addr")[1]


@pytest.mark.slow
def test_a_link_signed_by_the_cli_and_a_workers_session_are_good_on_every_worker(seeded, tmp_path, monkeypatch):
    monkeypatch.delenv("DUDAO_PORTAL_SECRET", raising=False)  # the secret kept in var/, made by the portal
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("DUDAO_PORTAL_BASE_URL", base)
    log = open(tmp_path / "portal.log", "wb")  # noqa: SIM115 - closed below
    portal = subprocess.Popen([str(REPO / ".venv" / "bin" / "dudao"), "portal", "serve", "--port", str(port),
                               "--workers", str(WORKERS)], stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                              start_new_session=True)
    browsers, ports, held = [], [], {}
    try:
        wait_answering(f"{base}/", portal, 120, "the portal")
        link = run_cli("portal", "link", "S001").stdout.strip().splitlines()[-1]
        deadline = time.monotonic() + 60  # a worker may start listening a while after the first answered
        while len(browsers) < BROWSERS or len(set(held.values())) < WORKERS:
            assert time.monotonic() < deadline, held
            browsers.append(browser := httpx.Client(base_url=base, limits=httpx.Limits(max_connections=1, keepalive_expiry=30)))
            signed = browser.get(link.removeprefix(base))  # the connection stays open, on either worker
            assert signed.status_code == 303 and signed.headers["location"] == "/unit", signed.text
            ports.append(_client_port(signed))
            held = _worker_of_each_connection(port, _workers(portal))
        assert len(_workers(portal)) == WORKERS
        cookies = [browser.cookies["dudao_portal"] for browser in browsers]
        for n, browser in enumerate(browsers):  # each sends the next one's cookie: some signed by the other worker
            browser.cookies.clear()
            answer = browser.get("/unit", headers={"Cookie": f"dudao_portal={cookies[(n + 1) % len(browsers)]}"})
            assert answer.status_code == 200 and "南坪育才小学（示例）" in answer.text, answer.text
        assert any(held[ports[n]] != held[ports[(n + 1) % len(browsers)]] for n in range(len(browsers)))
        time.sleep(6)  # a person reading the page: longer than uvicorn's own 5 s keep-alive
        again = browsers[0].get("/unit", headers={"Cookie": f"dudao_portal={cookies[0]}"})
        assert again.status_code == 200 and _client_port(again) == ports[0]  # the same connection
    finally:
        for browser in browsers:
            browser.close()
        stop(portal)
        log.close()
    assert "Traceback" not in (tmp_path / "portal.log").read_text(errors="replace")


def test_the_portals_connections_stay_within_the_servers():
    assert portal_connections(97, None) == 48  # half of what ordinary users may open
    assert portal_connections(97, 30) == 30
    assert portal_connections(97, 500) == 97  # a setting past the server's limit is held to it
    for budget in range(1, 120):
        for workers in range(1, 9):
            pool = pool_per_worker(budget, workers)
            assert workers * pool <= budget and pool <= MAX_PER_WORKER
            assert pool >= 1 or workers > budget
    assert pool_per_worker(48, 2) == 20 and pool_per_worker(30, 2) == 15 and pool_per_worker(3, 4) == 0


def test_serving_sizes_each_workers_pool_from_the_setting(monkeypatch):
    from portal import serving

    monkeypatch.setattr(serving, "server_connection_limit", lambda url: 97)
    monkeypatch.setenv("DUDAO_PORTAL_DB_CONNECTIONS", "12")
    for name in ("DUDAO_DB_POOL_SIZE", "DUDAO_DB_MAX_OVERFLOW"):
        monkeypatch.delenv(name, raising=False)
    serving.get_settings.cache_clear()
    try:
        assert serving.size_pools(3) == 4
        settings = serving.get_settings()  # what a worker, inheriting the environment, reads
        assert (settings.db_pool_size, settings.db_max_overflow) == (4, 0)
        with pytest.raises(InputError, match="少于工作进程数"):
            serving.size_pools(13)
    finally:
        for name in ("DUDAO_DB_POOL_SIZE", "DUDAO_DB_MAX_OVERFLOW"):
            os.environ.pop(name, None)
        serving.get_settings.cache_clear()
