"""ladder: when each open item next needs the sweep, the stored date of its next escalation step,
four-level issue escalation on findings, and 复核 requests

Revision ID: 0003_ladder
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003_ladder"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("rectificationitem", schema=None) as batch_op:
        # The daily sweep reads only open items whose next_action_on has come: a range scan on this index.
        batch_op.add_column(sa.Column("next_action_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("step_due_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_rectificationitem_stage_next_action_on", ["stage", "next_action_on"], unique=False)
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("needs_escalation", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("escalate_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_finding_escalate_on", ["escalate_on"], unique=False)
    op.create_table(
        "reviewrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decide_by", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inspection_id", name="uq_reviewrequest_inspection_id"),
    )
    with op.batch_alter_table("reviewrequest", schema=None) as batch_op:
        batch_op.create_index("ix_reviewrequest_decision_decide_by", ["decision", "decide_by"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reviewrequest", schema=None) as batch_op:
        batch_op.drop_index("ix_reviewrequest_decision_decide_by")
    op.drop_table("reviewrequest")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_escalate_on")
        batch_op.drop_column("escalate_on")
        batch_op.drop_column("needs_escalation")
    with op.batch_alter_table("rectificationitem", schema=None) as batch_op:
        batch_op.drop_index("ix_rectificationitem_stage_next_action_on")
        batch_op.drop_column("step_due_on")
        batch_op.drop_column("next_action_on")
