"""The portal's own rows: each unit's link epoch. A sign-in link carries the epoch it was made under; revoking
a unit's links raises the epoch, so every link and every session made before stops working at once."""

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


class PortalLinkEpoch(SQLModel, table=True):
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    epoch: int = 0
    changed_at: datetime = Field(sa_type=DateTime(timezone=True))
