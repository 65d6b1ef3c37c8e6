"""portaluser.inspector_id: an inspector's portal account (role inspector, issue 17) is linked to the
inspector's row of the roster, which decides what the account sees (the inspections of his teams)

It revises 0014_portal, which made the portaluser table it adds a column to.

Revision ID: 0017_portal_roles
Revises: 0014_portal
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0017_portal_roles"
down_revision: Union[str, Sequence[str], None] = "0014_portal"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # batch mode: SQLite adds a column with a foreign key only by copying the table
    with op.batch_alter_table("portaluser") as batch:
        batch.add_column(sa.Column("inspector_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_portaluser_inspector_id", "inspector", ["inspector_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("portaluser") as batch:
        batch.drop_constraint("fk_portaluser_inspector_id", type_="foreignkey")
        batch.drop_column("inspector_id")
