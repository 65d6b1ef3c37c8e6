"""The district data file (units, principals, inspectors): parsed, validated, then loaded in one transaction."""

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlmodel import Session, select

from core.errors import InputError
from core.toml_input import first_error, read_toml
from models import District, Inspector, Principal, Unit
from rules.text_input import control_problem


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value):
        """Names and addresses end up in e-mail headers and documents: no line breaks, controls or bidi tricks
        (the one rule of rules.text_input). A field check, so the error names the field that holds them."""
        if isinstance(value, str) and (problem := control_problem(value)):
            raise ValueError(problem)
        return value


class PrincipalEntry(_Entry):
    name: str = Field(min_length=1, max_length=50)
    term_start: date
    term_end: date

    @model_validator(mode="after")
    def _term_order(self):
        if self.term_end <= self.term_start:
            raise ValueError("任期结束日期须晚于开始日期")
        return self


class UnitEntry(_Entry):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{0,31}$")
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["department", "town", "school", "office"]
    school_type: Literal["primary", "middle", "nine_year", "kindergarten"] | None = None
    ownership: Literal["public", "private"] = "public"
    students: int = Field(default=0, ge=0, le=1_000_000)
    superior: str | None = None
    town: str | None = None
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    head: str = Field(default="", max_length=50)
    principal: PrincipalEntry | None = None
    # channels beside e-mail, each optional: the work group's robot (WeCom/DingTalk style webhook), its signing
    # secret where the platform signs (DingTalk's 加签), a mobile number for SMS
    robot: str | None = Field(default=None, pattern=r"^https?://[^\s]+$", max_length=500)
    robot_secret: str | None = Field(default=None, min_length=1, max_length=200)
    mobile: str | None = Field(default=None, pattern=r"^\+?[0-9]{5,15}$")

    @model_validator(mode="after")
    def _secret_needs_robot(self):
        if self.robot_secret is not None and self.robot is None:
            raise ValueError("robot_secret: given without robot")
        return self


class InspectorEntry(_Entry):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{0,31}$")
    name: str = Field(min_length=1, max_length=50)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    full_time: bool = False
    listed: bool = False
    employer: str | None = None
    term_start: date
    term_end: date
    consecutive_terms: int = Field(default=1, ge=1, le=20)

    @model_validator(mode="after")
    def _term_order(self):
        if self.term_end <= self.term_start:
            raise ValueError("任期结束日期须晚于开始日期")
        return self


_NAME = r"^\S+$"  # the district's names go into titles and 发文字号: no spaces


class DistrictFile(_Entry):
    schema_version: Literal[1]
    district: str = Field(min_length=2, max_length=50, pattern=_NAME)  # e.g. 江北区
    short_name: str | None = Field(default=None, min_length=1, max_length=20, pattern=_NAME)
    authority: str | None = Field(default=None, min_length=2, max_length=100, pattern=_NAME)
    units: list[UnitEntry]
    inspectors: list[InspectorEntry] = []

    @model_validator(mode="after")
    def _references(self):
        codes = [u.code for u in self.units]
        _no_duplicates("units", "code", codes)
        _no_duplicates("units", "name", [u.name for u in self.units])
        _no_duplicates("inspectors", "code", [i.code for i in self.inspectors])
        known = set(codes)
        for n, unit in enumerate(self.units):
            for ref in (unit.superior, unit.town):
                if ref is not None and ref not in known:
                    raise ValueError(f"units[{n}]（{unit.code}）：未知单位“{ref}”")
        for n, inspector in enumerate(self.inspectors):
            if inspector.employer is not None and inspector.employer not in known:
                raise ValueError(f"inspectors[{n}]（{inspector.code}）：未知工作单位“{inspector.employer}”")
        return self

    def identity(self) -> District:
        """The district's row in the ledger. Left out of the file, the short name (发文字号) is the name without
        its final 区 or 县 (江北区: 江北), the authority the name's 人民政府教育督导室."""
        short = self.short_name or (self.district[:-1] if self.district[-1] in "区县" else self.district)
        return District(name=self.district, short_name=short,
                        authority=self.authority or f"{self.district}人民政府教育督导室")


def _no_duplicates(what: str, field: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what}：{field}“{value}”重复")
        seen.add(value)


def read_district_file(path: Path) -> DistrictFile:
    """Parse and validate; any problem raises InputError naming the file and the entry."""
    _, data = read_toml(path)
    try:
        return DistrictFile.model_validate(data)
    except ValidationError as exc:
        raise first_error(path, exc) from None


def load_district(session: Session, district: DistrictFile) -> dict[str, int]:
    """The seed: write the district's identity, then insert or update every unit, principal and inspector by
    code. Returns counts by table."""
    session.merge(district.identity())
    return load_entries(session, district, channels=True)


def load_entries(session: Session, district: DistrictFile, channels: bool = False) -> dict[str, int]:
    """Insert or update every unit, principal and inspector by code, the district's identity left as it is (a
    roster import carries units or inspectors, not the district). A unit's robot and mobile are written from
    the district file (`channels`), or where an entry names them: a roster import without them keeps them.
    Returns counts by table."""
    units = {u.code: u for u in session.exec(select(Unit)).all()}
    _no_name_taken(units, district)
    for entry in district.units:
        units[entry.code] = _upsert_unit(session, units.get(entry.code), entry, channels)
    session.flush()
    for entry in district.units:
        _link_unit(session, units, entry)
    inspectors = {i.code: i for i in session.exec(select(Inspector)).all()}
    for entry in district.inspectors:
        _upsert_inspector(session, inspectors.get(entry.code), entry, units)
    session.flush()
    return {"units": len(district.units), "inspectors": len(district.inspectors),
            "principals": sum(1 for u in district.units if u.principal)}


def _no_name_taken(units: dict[str, Unit], district: DistrictFile) -> None:
    """A unit name is unique in the ledger: refuse a name another unit already holds (before writing)."""
    holders = {unit.name: code for code, unit in units.items()}
    for entry in district.units:
        holder = holders.get(entry.name, entry.code)
        if holder != entry.code:
            raise InputError(f"units（{entry.code}）：名称“{entry.name}”已是台账中单位 {holder} 的名称")


def _upsert_unit(session: Session, unit: Unit | None, entry: UnitEntry, channels: bool) -> Unit:
    unit = unit or Unit(code=entry.code, name=entry.name, kind=entry.kind, email=entry.email)
    unit.name, unit.kind, unit.email = entry.name, entry.kind, entry.email
    unit.school_type, unit.ownership, unit.students = entry.school_type, entry.ownership, entry.students
    unit.head_name = entry.principal.name if entry.principal else entry.head
    if channels or entry.model_fields_set & {"robot", "robot_secret", "mobile"}:
        unit.robot_url, unit.robot_secret, unit.mobile = entry.robot, entry.robot_secret, entry.mobile
    session.add(unit)
    return unit


def _link_unit(session: Session, units: dict[str, Unit], entry: UnitEntry) -> None:
    unit = units[entry.code]
    unit.superior_id = units[entry.superior].id if entry.superior else None
    unit.town_id = units[entry.town].id if entry.town else None
    if entry.principal is None:
        return
    principal = session.exec(select(Principal).where(Principal.unit_id == unit.id,
                                                     Principal.name == entry.principal.name)).first()
    principal = principal or Principal(unit_id=unit.id, **entry.principal.model_dump())
    principal.term_start, principal.term_end = entry.principal.term_start, entry.principal.term_end
    session.add(principal)


def _upsert_inspector(session: Session, inspector: Inspector | None, entry: InspectorEntry,
                      units: dict[str, Unit]) -> None:
    fields = entry.model_dump(exclude={"employer"})
    inspector = inspector or Inspector(**fields)
    for name, value in fields.items():
        setattr(inspector, name, value)
    inspector.employer_unit_id = units[entry.employer].id if entry.employer else None
    session.add(inspector)
