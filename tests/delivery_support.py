"""Shared by the delivery tests: notices queued by the real outbox, the ledger as the tests read it, the
settings pointed at a recording SMTP server, and how often Prefect ran the delivery task."""

from datetime import date

from sqlmodel import select

from core.db import session_scope
from core.settings import get_settings
from models import Notice, Unit
from tasks.documents.issuing import Paper, issue

AS_OF = date(2026, 5, 15)
TITLE = "整改提醒/催办（第一次）"  # a '/' in a title must not become a path in the attachment's name


def queue_notices(count: int, title: str = TITLE) -> list[Notice]:
    """`count` reminders to schools S001..., filed and queued by the real outbox (tasks/documents/issuing.issue)."""
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
