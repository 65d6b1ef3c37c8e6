"""Scores against the indicator frameworks: the framework version an inspection uses, and item scores."""

from datetime import date

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class InspectionFramework(SQLModel, table=True):
    """The indicator framework version an inspection is scored against, pinned at its first score sheet."""

    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True)
    framework: str = Field(max_length=32)  # code, e.g. school, kindergarten, duzheng, guapai
    version: str = Field(max_length=16)
    name: str = Field(max_length=100)
    assigned_on: date


class ItemScore(SQLModel, table=True):
    """One item's score (得分) on one sheet: the unit's self-assessment or the inspectors' on-site scoring."""

    __table_args__ = (UniqueConstraint("inspection_id", "source", "item_code"),)

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    source: str = Field(max_length=8)  # self or onsite
    item_code: str = Field(max_length=16)
    area_code: str = Field(max_length=16)  # kept with the score: the file may change, the score must not
    area: str = Field(max_length=50)
    points: float
    score: float
    note: str = Field(default="", sa_type=Text)
    recorded_on: date
