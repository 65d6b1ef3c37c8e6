"""district: the district's identity in the ledger (name, short name for the 发文字号, issuing authority), one
row written by `dudao seed` from the district file

Revision ID: 0011_district
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011_district"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# What the code wrote into every document before the district came from the district file.
_BEFORE = {"id": 1, "name": "南岸区", "short_name": "南岸", "authority": "南岸区人民政府教育督导室"}


def upgrade() -> None:
    district = op.create_table(
        "district",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("short_name", sa.String(length=20), nullable=False),
        sa.Column("authority", sa.String(length=100), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_district_one_row"),
    )
    # A ledger seeded before this revision issued its documents as 南岸区 (the name was in the code): it goes
    # on doing so until `dudao seed` writes the district file's identity, instead of failing at its next
    # document. A ledger without units is not seeded yet: its seed fills the row.
    if op.get_bind().execute(sa.text("SELECT 1 FROM unit LIMIT 1")).first() is not None:
        op.bulk_insert(district, [_BEFORE])


def downgrade() -> None:
    op.drop_table("district")
