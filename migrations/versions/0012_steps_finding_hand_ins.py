"""finding: the unit's 申辩 and the office's decision on it (reason, decision, note), and the inspector's own
整改要求 and 整改期限 per finding (issue 16: every human step has a way in)

Revision ID: 0012_steps_finding_hand_ins
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_steps_finding_hand_ins"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("rebuttal_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("rebuttal_decision", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch.add_column(sa.Column("rebuttal_note", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("requirement", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("deadline", sa.Date(), nullable=True))
    # A rebuttal recorded before this revision was decided at once (upheld when the finding was withdrawn).
    op.execute("UPDATE finding SET rebuttal_decision = CASE WHEN withdrawn THEN 'upheld' ELSE 'dismissed' END "
               "WHERE rebutted")


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        for column in ("deadline", "requirement", "rebuttal_note", "rebuttal_decision", "rebuttal_reason"):
            batch.drop_column(column)
