"""Official documents (公文): what each says (render contexts, 发文字号), one Jinja environment, filing a
document and queueing its notice in the caller's transaction (exactly once, by key), and PDFs.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "contexts": ["Contexts", "doc_no", "findings_by_inspection", "item_context", "seq_of", "session_office",
                 "superior_of", "team_names"],
    "issuing": ["Paper", "document_text", "issue", "issue_many", "safe_name"],
    "rendering": ["environment"],
    "letterhead": ["DocNo", "Letterhead", "letterhead"],
})
