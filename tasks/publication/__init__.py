"""Publication of reports (公开): the operator's sign-off (签发) and release, what the public may read
(personal data redacted, covert and unreleased reports never), the static public site, and the flag on a
report left unreleased past `publication_workdays`.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "deadline": ["flag_unreleased", "publication_due_on"],
    "signoff": ["approve", "find_inspection", "request_signoffs", "run_label"],
    "site": ["build_site", "check_target"],
})
