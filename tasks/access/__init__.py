"""Access to the portal: its secret, and the signed, expiring, revocable sign-in link of a unit (its token, the
unit's link epoch, the URL). The portal verifies links through this area; the delivery of the outbox puts a
fresh link into each 督导通知书, 整改提醒 and 督办 e-mail a unit receives, when the message is built.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "links": ["MAX_DAYS", "current_epoch", "link_serializer", "link_url", "make_token", "token_for"],
    "notice_links": ["LINKED_KINDS", "with_portal_links"],
    "secret": ["derived_key", "portal_secret", "secret_path"],
})
