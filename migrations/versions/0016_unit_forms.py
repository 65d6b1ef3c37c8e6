"""selfassessmentdraft: a unit's self-assessment saved as a draft in the portal before it is handed in
(issue 17: the unit's forms)

Revision ID: 0016_unit_forms
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0016_unit_forms"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "selfassessmentdraft",
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id"), primary_key=True,
                  autoincrement=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_selfassessmentdraft_unit_id", "selfassessmentdraft", ["unit_id"])


def downgrade() -> None:
    op.drop_table("selfassessmentdraft")
