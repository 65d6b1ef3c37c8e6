"""The year's plan and the inspectors' own records: plan entries, rotation, conflicts, employer history,
zones, training, appraisal, exit, and the responsible inspectors' routine visits."""

from datetime import date

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class AnnualPlan(SQLModel, table=True):
    """年度督导工作计划: made once a year; the published seed lets anyone repeat the 双随机 draw."""

    year: int = Field(primary_key=True)
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    seed_source: str = Field(max_length=200)
    covert_seed: int = Field(sa_column=Column(BigInteger, nullable=False))  # sealed: never published
    planned_on: date
    policy_version: str = Field(max_length=40)
    document_id: int | None = Field(default=None, foreign_key="document.id")


class PlanEntry(SQLModel, table=True):
    """One thing the plan asks for, and what became of it (scheduled, merged, moved, deferred)."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    key: str = Field(unique=True, max_length=80)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=16)  # annual, term_end, special, random, covert, monitoring, emergency
    reason: str = Field(max_length=200)  # why the unit is a target
    theme: str | None = Field(default=None, max_length=200)
    covert: bool = False
    status: str = Field(max_length=10)
    semester: str | None = Field(default=None, max_length=8)
    note: str = Field(default="", sa_type=Text)  # why merged, moved or deferred
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id", index=True)
    principal_id: int | None = Field(default=None, foreign_key="principal.id")


class SchoolRotation(SQLModel, table=True):
    """When a school was last comprehensively inspected (None: no record; the plan spreads those)."""

    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    last_comprehensive_on: date | None = None
    rotation_years: int | None = None  # overrides the policy's for this school


class InspectorConflict(SQLModel, table=True):
    """A conflict of interest the inspector declared (relative, own child's school, ...): recusal."""

    __table_args__ = (UniqueConstraint("inspector_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    inspector_id: int = Field(foreign_key="inspector.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    reason: str = Field(max_length=200)
    declared_on: date


class EmploymentHistory(SQLModel, table=True):
    """A unit the inspector worked at before: never inspected by them (recusal)."""

    __table_args__ = (UniqueConstraint("inspector_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    inspector_id: int = Field(foreign_key="inspector.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    until_on: date | None = None


class ZoneAssignment(SQLModel, table=True):
    """督学责任区: a school's zone (at most 20 schools) and its listed responsible inspector (挂牌督学)."""

    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    zone: str = Field(index=True, max_length=16)
    inspector_id: int = Field(foreign_key="inspector.id", index=True)
    assigned_on: date


class TrainingRecord(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    inspector_id: int = Field(foreign_key="inspector.id", index=True)
    on: date = Field(index=True)
    hours: float
    topic: str = Field(max_length=200)


class InspectorAppraisal(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("inspector_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    inspector_id: int = Field(foreign_key="inspector.id", index=True)
    year: int
    result: str = Field(max_length=8)  # pass or fail
    note: str = Field(default="", max_length=500)
    decided_on: date


class InspectorExit(SQLModel, table=True):
    """解聘: after the day `on` the inspector is assigned nothing."""

    inspector_id: int = Field(foreign_key="inspector.id", primary_key=True)
    on: date
    reason: str = Field(max_length=200)


class RoutineVisit(SQLModel, table=True):
    """挂牌督导: a responsible inspector's visit, with the eight items checked."""

    __table_args__ = (UniqueConstraint("unit_id", "inspector_id", "visit_on"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    inspector_id: int = Field(foreign_key="inspector.id", index=True)
    visit_on: date = Field(index=True)
    semester: str = Field(max_length=8)
    items: str = Field(sa_type=Text)  # JSON: item -> "" (in order) or the problem found
    problems: int = 0
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id")
    by_responsible: bool = False  # the school's responsible inspector on the day; only these count (coverage)
