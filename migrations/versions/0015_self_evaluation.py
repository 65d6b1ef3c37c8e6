"""selfevaluationproblem: the problems of the district's self-evaluation for the city, followed until closed
(issue 16: the district's self-evaluation, due mid-May, with its problem list followed like findings)

Revision ID: 0015_self_evaluation
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015_self_evaluation"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "selfevaluationproblem",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
        sa.UniqueConstraint("year", "seq"),
    )
    op.create_index("ix_selfevaluationproblem_unit_id", "selfevaluationproblem", ["unit_id"])
    op.create_index("ix_selfevaluationproblem_stage_deadline", "selfevaluationproblem", ["stage", "deadline"])


def downgrade() -> None:
    op.drop_table("selfevaluationproblem")
