"""What operators read in the Prefect UI and the CLI: tags on runs, artifacts after a sweep (reports as
markdown, the sweep's table in Chinese, what a hand-started inspection created, the provisional-calendar
warning), the outbox by status, the year's counts, and the office's dashboard in the portal (its figures and the list
behind each one).
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "alerts": ["ALERTS", "queue_alert", "queue_alerts", "report_stuck_notices"],
    "dashboard": ["dashboard", "overdue_clause"],
    "dashboard_lists": ["Listing", "UnknownList", "grade_list", "overdue_list", "reports_list", "week_list", "zone_list"],
    "artifacts": ["publish_report_artifacts", "publish_sweep_table", "report_markdown"],
    "provisional_calendar": ["provisional_deadline_years", "publish_provisional_calendar_warning",
                             "warn_office_of_provisional_calendar"],
    "links": ["artifact_key", "document_link"],
    "outbox_report": ["failed_notices", "notice_row", "status_counts", "stuck_notices"],
    "run_labels": ["add_run_tags"],
    "started_runs": ["emergency_markdown", "special_markdown"],
    "summary": ["year_summary"],
    "sweep_table": ["sweep_markdown", "sweep_rows"],
})
