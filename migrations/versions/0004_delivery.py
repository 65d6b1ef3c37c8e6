"""delivery: who is sending a notice right now (the attempt token) and since when

A notice is marked `sending` with its run's token in a committed transaction before it goes out, so a
killed run leaves a trace: the next run re-sends exactly those (same Message-ID), nothing else.

Revision ID: 0004_delivery
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004_delivery"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt_token", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("attempt_token")
