"""planning: the annual plan and its entries, school rotation, inspector conflicts, employer history,
responsibility zones, training records, appraisals, exits and routine visits

Revision ID: 0005_planning
Revises: 0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005_planning"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _fk(name: str, table: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "annualplan",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("seed_source", sa.String(length=200), nullable=False),
        sa.Column("covert_seed", sa.BigInteger(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(length=40), nullable=False),
        _fk("document_id", "document", nullable=True),
    )
    op.create_table(
        "planentry",
        _id(),
        sa.Column("year", sa.Integer(), nullable=False, index=True),
        sa.Column("key", sa.String(length=80), nullable=False, unique=True),
        _fk("unit_id", "unit"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=True),
        sa.Column("covert", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("semester", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("inspection_id", "inspection", nullable=True),
        _fk("principal_id", "principal", nullable=True),
    )
    op.create_index("ix_planentry_unit_id", "planentry", ["unit_id"])
    op.create_index("ix_planentry_inspection_id", "planentry", ["inspection_id"])
    op.create_table(
        "schoolrotation",
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), primary_key=True, autoincrement=False),
        sa.Column("last_comprehensive_on", sa.Date(), nullable=True),
        sa.Column("rotation_years", sa.Integer(), nullable=True),
    )
    op.create_table(
        "inspectorconflict",
        _id(), _fk("inspector_id", "inspector"), _fk("unit_id", "unit"),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("inspector_id", "unit_id"),
    )
    op.create_index("ix_inspectorconflict_inspector_id", "inspectorconflict", ["inspector_id"])
    op.create_table(
        "employmenthistory",
        _id(), _fk("inspector_id", "inspector"), _fk("unit_id", "unit"),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.UniqueConstraint("inspector_id", "unit_id"),
    )
    op.create_index("ix_employmenthistory_inspector_id", "employmenthistory", ["inspector_id"])
    _inspector_tables()


def _inspector_tables() -> None:
    op.create_table(
        "zoneassignment",
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), primary_key=True, autoincrement=False),
        sa.Column("zone", sa.String(length=16), nullable=False, index=True),
        _fk("inspector_id", "inspector"),
        sa.Column("assigned_on", sa.Date(), nullable=False),
    )
    op.create_index("ix_zoneassignment_inspector_id", "zoneassignment", ["inspector_id"])
    op.create_table(
        "trainingrecord",
        _id(), _fk("inspector_id", "inspector"),
        sa.Column("on", sa.Date(), nullable=False, index=True),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
    )
    op.create_index("ix_trainingrecord_inspector_id", "trainingrecord", ["inspector_id"])
    op.create_table(
        "inspectorappraisal",
        _id(), _fk("inspector_id", "inspector"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("inspector_id", "year"),
    )
    op.create_index("ix_inspectorappraisal_inspector_id", "inspectorappraisal", ["inspector_id"])
    op.create_table(
        "inspectorexit",
        sa.Column("inspector_id", sa.Integer(), sa.ForeignKey("inspector.id"), primary_key=True,
                  autoincrement=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
    )
    op.create_table(
        "routinevisit",
        _id(), _fk("unit_id", "unit"), _fk("inspector_id", "inspector"),
        sa.Column("visit_on", sa.Date(), nullable=False, index=True),
        sa.Column("semester", sa.String(length=8), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        _fk("inspection_id", "inspection", nullable=True),
        sa.UniqueConstraint("unit_id", "inspector_id", "visit_on"),
    )
    op.create_index("ix_routinevisit_unit_id", "routinevisit", ["unit_id"])
    op.create_index("ix_routinevisit_inspector_id", "routinevisit", ["inspector_id"])


def downgrade() -> None:
    for table in ("routinevisit", "inspectorexit", "inspectorappraisal", "trainingrecord", "zoneassignment",
                  "employmenthistory", "inspectorconflict", "schoolrotation", "planentry", "annualplan"):
        op.drop_table(table)
