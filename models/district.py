"""The district, who is inspected and who inspects: the district's identity, units, principals, inspectors."""

from datetime import date

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


class District(SQLModel, table=True):
    """How the district names itself in its documents. One row (id 1): a ledger serves one district, so
    "the district" is never ambiguous. Written by `dudao seed` from the district file."""

    __table_args__ = (CheckConstraint("id = 1", name="ck_district_one_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=50)  # e.g. 江北区: titles, the 双随机 draw's public text, flow run names
    short_name: str = Field(max_length=20)  # e.g. 江北: the 发文字号 prefix (江北督通〔2026〕1号)
    authority: str = Field(max_length=100)  # e.g. 江北区人民政府教育督导室: letterhead, signature, addressee


class UnitKind:
    DEPARTMENT = "department"  # member unit of the supervision committee (督政)
    TOWN = "town"  # town or street (镇街)
    SCHOOL = "school"
    OFFICE = "office"  # the supervision office, the committee, district leadership, the municipal office


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=32)
    name: str = Field(unique=True, max_length=100)
    kind: str = Field(max_length=16)
    school_type: str | None = Field(default=None, max_length=16)  # primary, middle, nine_year, kindergarten
    ownership: str = Field(default="public", max_length=8)  # public or private
    students: int = 0
    superior_id: int | None = Field(default=None, foreign_key="unit.id")
    town_id: int | None = Field(default=None, foreign_key="unit.id")  # a school's town or street
    email: str = Field(max_length=200)
    head_name: str = Field(default="", max_length=50)
    # channels beside e-mail (tasks/channels/), each optional: the unit's work group robot (WeCom/DingTalk
    # style webhook), the robot's signing secret where the platform signs, a mobile number for SMS
    robot_url: str | None = Field(default=None, max_length=500)
    robot_secret: str | None = Field(default=None, max_length=200)
    mobile: str | None = Field(default=None, max_length=20)


class Principal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = Field(max_length=50)
    term_start: date
    term_end: date


class Inspector(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=32)
    name: str = Field(max_length=50)
    email: str = Field(max_length=200)
    full_time: bool = False
    listed: bool = False  # 挂牌督学: the responsible inspector of a group of schools
    employer_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    term_start: date
    term_end: date
    consecutive_terms: int = 1
