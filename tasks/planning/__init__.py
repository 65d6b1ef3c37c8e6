"""The year's plan (年度督导工作计划): who is inspected this year and when (督政 of every department and town,
the schools' 3–5 year rotation, private schools, 双随机 draws, covert visits), 减频提质 (merges and the
per-semester cap), teams, the plan document sent to the city, and principals' term-end inspections.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "year_plan": ["make_plan", "semester_days"],
    "drawing": ["draw_up"],
    "targets": ["existing_requests"],
    "plan_document": ["issue_plan_document", "plan_rows", "plan_view"],
    "term_end": ["raise_term_end_inspections"],
})
