"""The listed inspectors' published contact (实施方案 §十八), from data/public_contacts.toml."""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session, select

from core.errors import InputError
from core.paths import REPO_ROOT
from core.toml_input import first_error
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
        raise InputError(f"{path}：无法读取（{exc.strerror}）") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}：无法解析（{exc}）") from None
    try:
        return ContactsFile.model_validate(data).contacts
    except ValidationError as exc:
        raise first_error(path, exc) from None


def listed_contacts(session: Session, entries: list[ContactEntry], path: Path = DEFAULT_PATH
                    ) -> list[PublicContact]:
    """The contacts joined with the roster; only listed inspectors' numbers may be published."""
    by_code = {i.code: i for i in session.exec(select(Inspector).order_by(Inspector.code)).all()}
    contacts = []
    for n, entry in enumerate(entries):
        inspector = by_code.get(entry.inspector)
        if inspector is None:
            raise InputError(f"{path}：contacts.{n}.inspector：未知督学“{entry.inspector}”")
        if not inspector.listed:
            raise InputError(f"{path}：contacts.{n}：{entry.inspector} 不是挂牌督学；"
                             "只公开挂牌督学的联系方式")
        contacts.append(PublicContact(inspector.code, inspector.name, inspector.email, entry.phone))
    return contacts
