"""indicators: the framework version each inspection uses, and item scores (self-assessment, on-site)

Revision ID: 0006_indicators
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006_indicators"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "inspectionframework",
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id"), primary_key=True),
        sa.Column("framework", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "itemscore",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id"), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("item_code", sa.String(length=16), nullable=False),
        sa.Column("area_code", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=50), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("inspection_id", "source", "item_code"),
    )
    op.create_index("ix_itemscore_inspection_id", "itemscore", ["inspection_id"])


def downgrade() -> None:
    op.drop_index("ix_itemscore_inspection_id", table_name="itemscore")
    op.drop_table("itemscore")
    op.drop_table("inspectionframework")
