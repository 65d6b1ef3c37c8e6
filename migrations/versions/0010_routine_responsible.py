"""routine_responsible: whether a routine visit (挂牌督导) was made by the school's responsible inspector of the
day; coverage counts only those (条例 art. 14: each school visited by its responsible inspector)

Revision ID: 0010_routine_responsible
Revises: 0005_planning
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010_routine_responsible"
down_revision: Union[str, Sequence[str], None] = "0005_planning"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("routinevisit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("by_responsible", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Visits filed before: the zones of today are the best record of who was responsible then.
    op.execute("UPDATE routinevisit SET by_responsible = EXISTS (SELECT 1 FROM zoneassignment z "
               "WHERE z.unit_id = routinevisit.unit_id AND z.inspector_id = routinevisit.inspector_id)")


def downgrade() -> None:
    with op.batch_alter_table("routinevisit", schema=None) as batch_op:
        batch_op.drop_column("by_responsible")
