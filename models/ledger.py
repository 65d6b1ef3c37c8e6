"""The records of what the system did: documents, notices (the outbox), audit events, simulation runs."""

from datetime import date, datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=120)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    path: str = Field(max_length=300)  # HTML file, relative to the output folder; the text is its notice's
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="rectificationitem.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    issued_on: date


class Notice(SQLModel, table=True):
    """One e-mail in the outbox, written in the same transaction as the change that causes it."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=120)
    kind: str = Field(index=True, max_length=32)
    subject: str = Field(max_length=300)
    recipients: str = Field(sa_type=Text)  # JSON list of [display name, address]
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id")
    item_id: int | None = Field(default=None, foreign_key="rectificationitem.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    created_on: date
    hold_until: date | None = None  # covert inspections: not delivered before the visit
    status: str = Field(default="pending", index=True, max_length=10)  # pending, sending, sent, failed
    attempts: int = 0
    last_error: str = Field(default="", sa_type=Text)
    message_id: str = Field(max_length=200)
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # while `sending`: the delivery run that claimed it (host/pid/random) and when (tasks/mail/outbox_claims.py)
    attempt_token: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class ChannelMessage(SQLModel, table=True):
    """One message of a notice by another channel (a group robot's webhook, an SMS): its own deliverable in the
    outbox, with its own key and status, written in the same transaction as its notice (tasks/channels/)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)  # the notice's key, the channel and the unit's code
    notice_id: int = Field(foreign_key="notice.id", index=True)
    channel: str = Field(max_length=10)  # webhook or sms
    kind: str = Field(max_length=32)  # the notice's kind
    unit_id: int = Field(foreign_key="unit.id")  # whose robot or mobile: read when sending (it may be corrected)
    text: str = Field(sa_type=Text)  # the message as sent: a short Chinese text with the title and a link
    created_on: date
    hold_until: date | None = None  # as its notice's (covert inspections)
    status: str = Field(default="pending", index=True, max_length=10)  # the notice machine's statuses
    attempts: int = 0
    last_error: str = Field(default="", sa_type=Text)
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    attempt_token: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=20)
    entity_id: int = Field(index=True)
    event: str = Field(max_length=40)
    from_stage: str | None = Field(default=None, max_length=20)
    to_stage: str | None = Field(default=None, max_length=20)
    as_of: date
    actor: str = Field(max_length=40)
    detail: str = Field(default="{}", sa_type=Text)
    recorded_at: datetime = Field(sa_type=DateTime(timezone=True))
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class SimulationRun(SQLModel, table=True):
    """Where a simulated year stands, so a killed run resumes where it stopped."""

    year: int = Field(primary_key=True)
    seed: int
    last_day: date | None = None
