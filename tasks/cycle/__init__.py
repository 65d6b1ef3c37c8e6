"""An inspection's cycle, step by step: opening it (annual, special, emergency, term-end, routine), the
time-driven steps of the daily sweep (notify, feed back, issue, publish, 回头看 or close), what people hand back
(self-assessment, findings, 申辩, 整改报告 and their review, 回头看 results), 复核, score sheets, and routine
visits (挂牌督导).
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "annual_openings": ["open_annual_inspections", "workdays_between"],
    "due_steps": ["notify_due", "feed_back_due", "issue_due", "publish_due", "recheck_or_close_due"],
    "opening": ["ANNOUNCED_KINDS", "Opening", "add_theme", "next_code", "open_inspection", "open_inspections"],
    "responses": ["FindingInput", "items_due_for_recheck", "pending_submissions", "receive_self_assessment", "record_recheck", "record_visit", "release_report", "review_submission", "submit_rectification"],
    "rebuttals": ["MAX_REASON", "decide_rebuttal", "state_case"],
    "rechecks": ["recheck_item"],
    "report_reviews": ["remind_report_reviews", "review_due_on"],
    "review": ["decide_review", "remind_review_decisions", "request_problem", "request_review"],
    "routine_visits": ["coverage", "flag_routine_shortfalls", "read_visits", "record_visits", "routine_items"],
    "self_assessment": ["SelfAssessmentRefused", "hand_in_self_assessment", "submit_self_assessment", "window_problem"],
    "self_assessment_drafts": ["load_draft", "mark_submitted", "save_draft"],
    "scores": ["ONSITE", "SELF", "Sheets", "framework_for", "record_scores", "registry", "scores_by_area", "unit_results"],
    "special_emergency": ["EmergencyInspectionInput", "SpecialInspectionInput", "start_emergency", "start_special"],
})
