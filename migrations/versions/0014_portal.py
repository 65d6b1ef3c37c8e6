"""portallinkepoch: each unit's portal link epoch (issue 17: revoking a unit's sign-in links raises it)

Revision ID: 0014_portal
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014_portal"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "portallinkepoch",
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), primary_key=True, autoincrement=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("portallinkepoch")
