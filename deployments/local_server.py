"""A local Prefect server with its UI, started as a child process: `dudao serve --with-server` (and so
`make serve`) and the UI tests use it. SQLite under PREFECT_HOME unless
PREFECT_API_DATABASE_CONNECTION_URL names PostgreSQL; no analytics; bound to 127.0.0.1."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class LocalServer:
    url: str  # http://host:port, where the UI is
    api_url: str  # url + /api
    process: subprocess.Popen


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_env(home: Path, api_url: str, extra: dict | None = None) -> dict[str, str]:
    """The environment of the server and of every client that talks to it."""
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_URL": api_url, "PREFECT_UI_API_URL": api_url, **(extra or {})}
    env.pop("PREFECT_API_KEY", None)
    return env


def wait_healthy(api_url: str, process: subprocess.Popen, timeout: float) -> None:
    wait_answering(f"{api_url}/health", process, timeout, "prefect server")


def wait_answering(url: str, process: subprocess.Popen, timeout: float, what: str) -> None:
    """Wait until `url` answers 200, or raise if the process ends first or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before answering at {url}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{what} at {url} not answering after {timeout:.0f} s")


@contextmanager
def running_server(home: Path, *, host: str = "127.0.0.1", port: int | None = None, log: Path | None = None,
                   extra_env: dict | None = None, timeout: float = 120) -> Iterator[LocalServer]:
    """Start `prefect server start` (UI included), wait until it answers, stop it on exit."""
    port = port or free_port(host)
    url = f"http://{host}:{port}"
    env = server_env(home, f"{url}/api", extra_env)
    home.mkdir(parents=True, exist_ok=True)
    out = open(log or home / "server.log", "ab")  # noqa: SIM115 - closed below, after the process
    command = [str(Path(sys.executable).parent / "prefect"), "server", "start", "--host", host, "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(f"{url}/api", process, timeout)
        yield LocalServer(url=url, api_url=f"{url}/api", process=process)
    finally:
        stop(process)
        out.close()


def stop(process: subprocess.Popen, grace: float = 15) -> None:
    """Terminate a child we started (its own process group), then kill it if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, 15)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
