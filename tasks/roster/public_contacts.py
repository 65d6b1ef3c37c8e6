"""The listed inspectors' published contact (实施方案 §十八), from data/public_contacts.toml."""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session, select

from core.errors import InputError
from core.settings import REPO_ROOT
from models import Inspector

DEFAULT_PATH = REPO_ROOT / "data" / "public_contacts.toml"


class ContactEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    inspector: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{0,31}$")
    phone: str = Field(pattern=r"^[0-9()（）+ -]{7,20}$")


class ContactsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_version: Literal[1]
    contacts: list[ContactEntry] = []


@dataclass(frozen=True)
class PublicContact:
    code: str
    name: str
    email: str
    phone: str


def read_contacts(path: Path = DEFAULT_PATH) -> list[ContactEntry]:
    """Parse and validate the file; any problem is an InputError naming the file and the place."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: {exc}") from None
    try:
        return ContactsFile.model_validate(data).contacts
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{path}: {where}: {first['msg']}") from None


def listed_contacts(session: Session, entries: list[ContactEntry], path: Path = DEFAULT_PATH
                    ) -> list[PublicContact]:
    """The contacts joined with the roster; only listed inspectors' numbers may be published."""
    by_code = {i.code: i for i in session.exec(select(Inspector).order_by(Inspector.code)).all()}
    contacts = []
    for n, entry in enumerate(entries):
        inspector = by_code.get(entry.inspector)
        if inspector is None:
            raise InputError(f"{path}: contacts.{n}.inspector: unknown inspector '{entry.inspector}'")
        if not inspector.listed:
            raise InputError(f"{path}: contacts.{n}: {entry.inspector} is not a listed inspector (挂牌督学); "
                             "only listed inspectors' contact is published")
        contacts.append(PublicContact(inspector.code, inspector.name, inspector.email, entry.phone))
    return contacts
