"""Operators' commands: `dudao serve` (the deployments on one machine, optionally with a local Prefect
server and its UI) and `dudao approve` (publication sign-off from the terminal)."""

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from prefect import serve
from prefect.settings import PREFECT_LOGGING_EXTRA_LOGGERS, PREFECT_LOGGING_LEVEL, temporary_settings

from core import clock
from core.db import migrate, session_scope
from core.paths import REPO_ROOT
from core.prefect_env import configure_serving
from core.settings import get_settings
from deployments.alerts import apply_alerts
from deployments.build import build_deployments
from deployments.local_server import running_server, stop, wait_answering
from dudao.cli_support import bounded, iso_date
from tasks.publication.signoff import approve


def _serve(names: list[str] | None, limit: int | None) -> None:
    os.chdir(REPO_ROOT)  # entrypoints are relative to the repository
    deployments = build_deployments(names)
    print("serving: " + ", ".join(f"{d.flow_name}/{d.name}" for d in deployments), flush=True)
    _apply_alerts([d for d in deployments if d.name == "alert-office"])
    # Prefect read its settings when first imported (before configure_serving): the runner passes those to
    # each flow-run process over the environment, so the served logging settings go into them too.
    with temporary_settings(updates={PREFECT_LOGGING_LEVEL: os.environ["PREFECT_LOGGING_LEVEL"],
                                     PREFECT_LOGGING_EXTRA_LOGGERS: os.environ["PREFECT_LOGGING_EXTRA_LOGGERS"]}):
        serve(*deployments, limit=limit, print_starting_message=False)


def _terminated(signum, frame) -> None:
    """SIGTERM (a supervisor, `kill`, a container stop) unwinds like Ctrl-C, so the server we started stops.
    Prefect's runner takes SIGTERM over while it serves and returns from `serve` on it."""
    raise KeyboardInterrupt


def _apply_alerts(alert_deployments: list) -> None:
    """The office's alerts as automations, once the alert-office deployment they start is registered."""
    if not alert_deployments:
        return
    alert_deployments[0].apply()
    ids = apply_alerts(get_settings().alert_webhook_url)
    webhook = "and webhook" if get_settings().alert_webhook_url else "(no DUDAO_ALERT_WEBHOOK_URL: e-mail only)"
    print(f"alerts: {len(ids)} automations, to the office by e-mail {webhook}", flush=True)


def cmd_alerts_apply(args) -> int:
    ids = apply_alerts(get_settings().alert_webhook_url)
    print(f"{len(ids)} automations applied to {os.environ.get('PREFECT_API_URL', 'the Prefect server')}")
    return 0


@contextmanager
def _portal(host: str, port: int, workers: int | None) -> Iterator[None]:
    """`dudao portal serve` beside the deployments, in its own process group (a Ctrl-C or SIGTERM to ours is
    passed on by `stop` here, so it never outlives us), its answer awaited so a taken port fails loudly."""
    command = [str(Path(sys.executable).parent / "dudao"), "portal", "serve", "--host", host, "--port", str(port)]
    command += ["--workers", str(workers)] if workers else []
    process = subprocess.Popen(command, start_new_session=True)
    try:
        wait_answering(f"http://{host}:{port}/", process, 60, "the portal")
        yield
    finally:
        stop(process)


def cmd_serve(args) -> int:
    configure_serving()
    signal.signal(signal.SIGTERM, _terminated)
    migrate()
    with _portal(args.host, args.portal_port, args.portal_workers) if args.portal_port else nullcontext():
        return _serve_deployments(args)


def _serve_deployments(args) -> int:
    if not args.with_server:
        if not os.environ.get("PREFECT_API_URL"):
            print("dudao: warning: PREFECT_API_URL is not set: runs go to a temporary server without UI; "
                  "use --with-server (make serve) or point PREFECT_API_URL at your Prefect server", flush=True)
        _serve(args.only, args.limit)
        return 0

    home = Path(os.environ.get("PREFECT_HOME", get_settings().var_dir / "prefect"))
    with running_server(home, host=args.host, port=args.port, log=home / "server.log") as server:
        os.environ["PREFECT_API_URL"] = server.api_url
        print(f"Prefect UI: {server.url}   (server log: {home / 'server.log'}; Ctrl-C stops both)", flush=True)
        try:
            _serve(args.only, args.limit)
        except KeyboardInterrupt:
            pass
    return 0


def cmd_approve(args) -> int:
    with session_scope() as session:
        outcome = approve(session, args.inspection, clock.resolve(args.as_of), actor=f"cli:{args.operator}"[:40])
    if outcome.newly:
        print(f"{outcome.code} {outcome.unit}: report released on {outcome.released_on}; "
              "the next daily sweep publishes it")
    else:
        print(f"{outcome.code} {outcome.unit}: already released on {outcome.released_on}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="在本机提供部署（定时计划、界面表单）")
    serve.add_argument("--only", nargs="+", metavar="NAME", help="只提供这些部署")
    serve.add_argument("--with-server", action="store_true",
                       help="同时启动本地 Prefect 服务器及其界面（SQLite 位于 PREFECT_HOME 下）")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=bounded(1, 65535), default=4200)
    serve.add_argument("--limit", type=bounded(1, 1000), help="同时运行的流程数上限")
    serve.add_argument("--portal-port", type=bounded(1, 65535), metavar="PORT",
                       help="同时在该端口启动督导门户（与 --host 同一地址；make serve 用 8000）")
    serve.add_argument("--portal-workers", type=bounded(1, 64), metavar="N",
                       help="督导门户的工作进程数（默认为本机处理器核数）")
    serve.set_defaults(func=cmd_serve)
    alerts = sub.add_parser("alerts", help="督导室的告警（Prefect 自动化）").add_subparsers(
        dest="verb", required=True)
    alerts.add_parser("apply", help="在 PREFECT_API_URL 上创建或替换（在 `prefect deploy` 之后）").set_defaults(
        func=cmd_alerts_apply)
    approve = sub.add_parser("approve", help="签发已下达的报告以便公开（界面的命令行替代）")
    approve.add_argument("inspection", metavar="INSPECTION_ID", help="督导编号（2026-ZH-001）或 id")
    approve.add_argument("--as-of", type=iso_date, help="批准日期（默认：今天）")
    approve.add_argument("--operator", default=os.environ.get("USER", "operator"), help="签发人")
    approve.set_defaults(func=cmd_approve)
