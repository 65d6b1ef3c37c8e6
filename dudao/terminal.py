"""What the CLI shows a person: a rich progress bar for long work, tables for summaries."""

from collections.abc import Callable
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core import progress

T = TypeVar("T")
console = Console(stderr=True)


def with_progress(title: str, work: Callable[[], T]) -> T:
    """Run `work` with a progress bar fed by `core.progress.report`."""
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task_id = bar.add_task(title, total=100)
        progress.listen(lambda percent, label: bar.update(task_id, completed=percent,
                                                          description=f"{title} {label}"))
        try:
            return work()
        finally:
            progress.listen(None)


def print_summary(summary: dict) -> None:
    out = Console()
    for part, label in (("inspections", "督导（按阶段）"), ("rectification", "整改事项（按阶段）"),
                        ("ladder", "问责阶梯（到达该步的事项）"), ("notices", "通知（按类别）")):
        table = Table(title=f"{summary['year']} {label}")
        table.add_column("项")
        table.add_column("数量", justify="right")
        for key, count in summary[part].items():
            table.add_row(key, str(count))
        out.print(table)
    out.print(f"逾期未整改事项 {summary['overdue_items']} 项；已公开报告 {summary['published_reports']} 份；"
              f"审计事件 {summary['audit_events']} 条")
