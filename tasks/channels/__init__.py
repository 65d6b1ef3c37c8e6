"""Channels beside e-mail: a unit's work group robot (WeCom/DingTalk style webhook, signed where the platform
signs) and an SMS gateway over HTTP, chosen per notice kind by the policy (`[channels]`).

Each message is its own deliverable in the outbox (`channelmessage`): queued in the transaction that files its
notice (`queue.py`), claimed by a delivery run like a notice (`claims.py`), sent with its key as the
idempotency key (`senders.py`), retried with backoff by the deliver-notices task, and reported stuck after
`smtp_max_attempts` attempts (`report.py`). E-mail always goes; a channel message adds to it.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "delivery": ["ChannelOutcome", "deliver_channel_messages", "retry_message"],
    "queue": ["Queued", "queue_channel_messages"],
    "report": ["CHANNEL_LABELS", "channel_counts", "failed_messages", "message_row", "stuck_messages"],
})
