"""The district's self-evaluation for the city (市对区政府履行教育职责自查自评, 实施方案 §一(四)): the report filed to
the city by mid-May (`report.py`), and its problem list followed until each problem is closed (`problems.py`)."""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "problems": ["close_problem", "follow_problems", "problem_of", "record_problem", "responsible_unit"],
    "report": ["file_report", "report_key", "report_paper"],
})
