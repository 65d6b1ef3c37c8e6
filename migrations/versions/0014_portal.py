"""portallinkepoch: each unit's portal link epoch (issue 17: revoking a unit's sign-in links raises it), and
portaluser: the office's portal accounts (an Argon2 hash of the password, failed sign-ins, a lock), and
evidence: files handed in with a rectification report (kept by content hash under var/evidence/)

Revision ID: 0014_portal
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
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
    op.create_table(
        "portaluser",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, unique=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failed_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("rectificationitem.id"), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submission.id"), nullable=True),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("uploaded_on", sa.Date(), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    )
    op.create_index("ix_evidence_item_id", "evidence", ["item_id"])
    op.create_index("ix_evidence_submission_id", "evidence", ["submission_id"])


def downgrade() -> None:
    op.drop_table("evidence")
    op.drop_table("portaluser")
    op.drop_table("portallinkepoch")
