"""The district's self-evaluation for the city (市对区政府履行教育职责评价的自查自评, 实施方案 §一(四)): the
problems the office records from it, or from the city's feedback on it, each with the unit responsible, a
整改要求 and a 整改期限, followed like findings until the office closes them (整改完成销号)."""

from datetime import date

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

OPEN, CLOSED = "open", "closed"
STAGE_LABELS = {OPEN: "整改中", CLOSED: "已销号"}


class SelfEvaluationProblem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("year", "seq"),
                      Index("ix_selfevaluationproblem_stage_deadline", "stage", "deadline"))

    id: int | None = Field(default=None, primary_key=True)
    year: int  # the self-evaluation's year (the report goes to the city in May of it)
    seq: int  # 问题序号 within the year, as the report and the CLI name it
    unit_id: int = Field(foreign_key="unit.id", index=True)  # the unit responsible for the rectification
    text: str = Field(sa_type=Text)  # the problem
    requirement: str = Field(sa_type=Text)  # 整改要求
    deadline: date  # 整改期限
    recorded_on: date
    stage: str = Field(default=OPEN, max_length=10)
    closed_on: date | None = None
    close_note: str | None = Field(default=None, sa_type=Text)  # how it was rectified, as the office closed it
