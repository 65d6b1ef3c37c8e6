"""Overdue rectification climbs the ladder (整改提醒 → 督办 → 约谈 → 通报 → 问责), one step per item per day,
with the documents each step issues; issues a unit cannot resolve alone rise through four levels (四级议题上报:
unit → 责任督学 → 督导室 → 督导委员会); 约谈 with a day, place and a record filed after it; 约谈 and 问责 raised by
hand for a reason of the seed's list; the ladder's part of the year summary.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "by_hand": ["raise_accountability", "raise_interview", "reason_text", "unit_of"],
    "climb": ["climb_ladder", "select_due_items"],
    "interviews": ["interview_of", "interviews_to_record", "record_interview", "schedule_for_item"],
    "referrals": ["refer_illegal_acts"],
    "issue_levels": ["escalate_issues", "raise_issue", "start_escalation"],
    "summary": ["ladder_summary", "sanctioned_units"],
})
