"""The portal's own rows: each unit's link epoch, and the office's accounts. A sign-in link carries the epoch
it was made under; revoking a unit's links raises the epoch, so every link and every session made before stops
working at once."""

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class PortalLinkEpoch(SQLModel, table=True):
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    epoch: int = 0
    changed_at: datetime = Field(sa_type=DateTime(timezone=True))


class PortalUser(SQLModel, table=True):
    """An account of the portal: the office (督导室工作人员), an inspector (督学, linked to the roster's row) or
    leadership (领导, read only). The password is kept only as an Argon2 hash. Failed sign-ins are counted here,
    not in a process's memory, so every portal process sees the same lock."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=32)
    name: str = Field(max_length=50)
    role: str = Field(default="office", max_length=16)  # office (everything), inspector (his teams), leader (reads)
    inspector_id: int | None = Field(default=None, foreign_key="inspector.id")  # the roster's row (role inspector)
    password_hash: str = Field(sa_type=Text)
    disabled: bool = False
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    failures: int = 0  # failed sign-ins since failed_since
    failed_since: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    locked_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
