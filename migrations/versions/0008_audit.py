"""audit: chain the events recorded before the hash chain existed, and let no two events share a predecessor

Revision ID: 0008_audit
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008_audit"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    _chain_existing_events()
    # A fork (two events chained onto the same head) is refused by the database itself.
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index("ux_auditevent_prev_hash", ["prev_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index("ux_auditevent_prev_hash")


def _chain_existing_events() -> None:
    from models.audit_chain import GENESIS, HASHED_FIELDS, digest

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        f"SELECT id, {', '.join(HASHED_FIELDS)} FROM auditevent ORDER BY id")).all()
    prev = GENESIS
    for row in rows:
        row = _Event(row)
        new = digest(prev, row)
        bind.execute(sa.text("UPDATE auditevent SET prev_hash = :p, hash = :h WHERE id = :id"),
                     {"p": prev, "h": new, "id": row.id})
        prev = new


class _Event:
    """A raw row with as_of as a date (SQLite returns it as text)."""

    def __init__(self, row) -> None:
        from datetime import date

        self.__dict__.update(row._mapping)
        if isinstance(self.as_of, str):
            self.as_of = date.fromisoformat(self.as_of)
