"""channels beside e-mail (issue 18): a unit's group robot (webhook, with its signing secret) and mobile number,
and the channel messages of the outbox (one per notice, channel and unit, each with its own key and status)

Revision ID: 0013_channels
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013_channels"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("robot_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch.add_column(sa.Column("robot_secret", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.add_column(sa.Column("mobile", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    op.create_table(
        "channelmessage",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, unique=True),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("notice.id"), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("hold_until", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempt_token", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_channelmessage_notice_id", "channelmessage", ["notice_id"])
    op.create_index("ix_channelmessage_status", "channelmessage", ["status"])


def downgrade() -> None:
    op.drop_table("channelmessage")
    with op.batch_alter_table("unit") as batch:
        for column in ("mobile", "robot_secret", "robot_url"):
            batch.drop_column(column)
