"""Delivery of the outbox: notices become e-mails (text + HTML, the document attached, a Message-ID derived
from the notice's key) built in worker processes, and go to SMTP when configured or to the Maildir; the
outbox's claims and outcomes make every notice arrive once.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "delivery": ["deliver_notices", "deliver_pending_now", "retry_notice"],
    "messages": ["message_id_for"],
    "smtp_config": ["smtp_config"],
})
