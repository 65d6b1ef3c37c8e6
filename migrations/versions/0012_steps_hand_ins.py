"""interview (约谈 with its day, place, attendees and record) and, on finding, the unit's 申辩 and the office's decision on it (reason, decision, note), and the inspector's own
整改要求 and 整改期限 per finding, an illegal act's referral day (issue 16: every human step has a way in)

Revision ID: 0012_steps_hand_ins
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_steps_hand_ins"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("rectificationitem.id"), nullable=True),
        sa.Column("reason_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("record", sa.Text(), nullable=True),
    )
    op.create_index("ix_interview_unit_id", "interview", ["unit_id"])
    op.create_index("ix_interview_item_id", "interview", ["item_id"])
    op.create_index("ix_interview_held_on_scheduled_on", "interview", ["held_on", "scheduled_on"])
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("rebuttal_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("rebuttal_decision", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch.add_column(sa.Column("rebuttal_note", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("requirement", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch.add_column(sa.Column("referred_on", sa.Date(), nullable=True))
    # A rebuttal recorded before this revision was decided at once (upheld when the finding was withdrawn).
    op.execute("UPDATE finding SET rebuttal_decision = CASE WHEN withdrawn THEN 'upheld' ELSE 'dismissed' END "
               "WHERE rebutted")


def downgrade() -> None:
    op.drop_table("interview")
    with op.batch_alter_table("finding") as batch:
        for column in ("referred_on", "deadline", "requirement", "rebuttal_note", "rebuttal_decision", "rebuttal_reason"):
            batch.drop_column(column)
