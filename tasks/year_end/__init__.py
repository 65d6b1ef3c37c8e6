"""The year's end: its figures from the ledger, the 年度督导报告 with charts, the report to the municipal
office and the commendation list.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "report": ["issue_year_end"],
})
