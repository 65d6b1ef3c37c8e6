"""The year's end: its figures from the ledger, the 年度督导报告 with charts, the report to the municipal
office, the commendation list, and the results sheets (结果运用) for the bodies that use them in 考核, 任免,
奖惩 and 资源配置.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "report": ["issue_year_end"],
    "results": ["issue_results_sheets", "results_by_unit"],
})
