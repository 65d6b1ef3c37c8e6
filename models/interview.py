"""约谈: a summons of a unit's head for a day and place, and its record (约谈记录), filed only after it took place.

Raised by the ladder (an item whose 督办 deadline passed: `item_id` set, `reason_code` "overdue") or by hand
for a reason of the seed's list (`[accountability] reasons` of the policy: obstruction, a 不合格 督政 grade …)."""

from datetime import date

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel


class Interview(SQLModel, table=True):
    __table_args__ = (Index("ix_interview_held_on_scheduled_on", "held_on", "scheduled_on"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="rectificationitem.id", index=True)
    reason_code: str = Field(max_length=20)  # overdue (the ladder) or a key of the policy's reasons
    reason: str = Field(sa_type=Text)  # what the summons says the interview is about
    notified_on: date  # the 约谈通知书's day
    scheduled_on: date  # the day the head is summoned for
    place: str = Field(max_length=100)
    attendees: str = Field(default="", sa_type=Text)  # who attended, as the record names them
    held_on: date | None = None  # set when the record is filed
    record: str | None = Field(default=None, sa_type=Text)  # what was said and required
