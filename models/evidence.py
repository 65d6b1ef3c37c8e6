"""Evidence files (佐证材料) handed in with a rectification report. The file itself is kept once per content,
by its SHA-256, under var/evidence/ (never under a name a person chose); the row says whose it is."""

from datetime import date

from sqlmodel import Field, SQLModel


class Evidence(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="rectificationitem.id", index=True)
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    sha256: str = Field(max_length=64)
    size: int
    media_type: str = Field(max_length=40)  # as the content says, not the name
    name: str = Field(max_length=100)  # the uploader's file name, cleaned: shown, never used as a path
    uploaded_on: date
    uploaded_by: str = Field(max_length=40)  # the audit chain's actor
