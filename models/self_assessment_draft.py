"""A unit's self-assessment (自评) kept as a draft in the portal until it hands it in: what was typed, item by
item, even a score not valid yet (the final submit checks it whole). Handing in writes the score sheet
(ItemScore) and leaves the draft as it was, marked with the day it was handed in."""

from datetime import date, datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class SelfAssessmentDraft(SQLModel, table=True):
    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    scores: str = Field(default="{}", sa_type=Text)  # JSON {item code: the text typed}
    notes: str = Field(default="{}", sa_type=Text)  # JSON {item code: 说明}
    saved_at: datetime = Field(sa_type=DateTime(timezone=True))
    submitted_on: date | None = None
