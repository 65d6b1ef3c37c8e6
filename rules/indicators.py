"""Indicator frameworks (评价指标体系): area (重点内容) → key indicator (关键指标) → item (考查要点), each item
worth a number of points (分值). One TOML file per framework version under data/indicators/; an inspection
pins the version it used, so a framework changed next year does not change last year's scores.
"""

from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import InputError
from core.toml_input import first_error, read_toml

CODE = r"^[A-Z][A-Z0-9.]{0,15}$"


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Node):
    code: str = Field(pattern=CODE)
    points: float = Field(gt=0)
    text: str = Field(min_length=1)


class KeyIndicator(_Node):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)

    @field_validator("items", mode="before")
    @classmethod
    def _rows(cls, value):
        """Items are written compactly as [code, points, text] rows."""
        if isinstance(value, list):
            return [dict(zip(("code", "points", "text"), row, strict=True)) if isinstance(row, list) else row
                    for row in value]
        return value


class Area(_Node):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=50)
    indicators: tuple[KeyIndicator, ...] = Field(min_length=1)

    @property
    def points(self) -> float:
        return sum(item.points for ki in self.indicators for item in ki.items)


class AppliesTo(_Node):
    unit_kinds: tuple[Literal["department", "town", "school"], ...] = Field(min_length=1)
    school_types: tuple[Literal["primary", "middle", "nine_year", "kindergarten"], ...] = ()
    inspection_kinds: tuple[str, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Entry:
    """One item with its place in the hierarchy: what a score sheet row is about."""

    area: Area
    indicator: KeyIndicator
    item: Item


class Framework(_Node):
    schema_version: Literal[1]
    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    version: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=100)
    basis: str = ""
    effective_from: date
    total: float = 100
    applies_to: AppliesTo
    areas: tuple[Area, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        codes = [a.code for a in self.areas] + [k.code for a in self.areas for k in a.indicators]
        codes += [e.item.code for e in self.entries()]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"代码重复：{'、'.join(duplicates)}")
        points = sum(a.points for a in self.areas)
        if abs(points - self.total) > 1e-9:
            raise ValueError(f"考查要点分值合计 {points:g}，不等于指标体系总分 {self.total:g}")
        return self

    def entries(self) -> list[Entry]:
        return [Entry(area, ki, item) for area in self.areas for ki in area.indicators for item in ki.items]

    def entry(self, item_code: str) -> Entry | None:
        return self.by_code.get(item_code)

    @cached_property
    def by_code(self) -> dict[str, Entry]:
        return {e.item.code: e for e in self.entries()}

    def applies(self, unit_kind: str, school_type: str | None, inspection_kind: str) -> bool:
        scope = self.applies_to
        return (unit_kind in scope.unit_kinds and inspection_kind in scope.inspection_kinds
                and (not scope.school_types or school_type in scope.school_types))


class Registry:
    """Every framework version found in a folder."""

    def __init__(self, frameworks: list[Framework]):
        self.frameworks = sorted(frameworks, key=lambda f: (f.code, f.effective_from, f.version))

    def get(self, code: str, version: str) -> Framework | None:
        return next((f for f in self.frameworks if f.code == code and f.version == version), None)

    def select(self, unit_kind: str, school_type: str | None, inspection_kind: str,
               as_of: date) -> Framework | None:
        """The newest version in force on `as_of` of the framework for this unit and inspection kind."""
        fitting = [f for f in self.frameworks
                   if f.effective_from <= as_of and f.applies(unit_kind, school_type, inspection_kind)]
        return max(fitting, key=lambda f: (f.effective_from, f.version), default=None)


def read_framework(path: Path) -> Framework:
    """Parse and validate one framework file; a bad file raises InputError naming the file and the place."""
    _, data = read_toml(path, "指标体系文件")
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise first_error(path, exc) from None


@lru_cache
def load_frameworks(folder: Path) -> Registry:
    """All `*.toml` frameworks of a folder; two files with the same code and version are refused."""
    if not folder.is_dir():
        raise InputError(f"{folder}：找不到指标体系文件夹")
    frameworks, seen = [], {}
    for path in sorted(folder.glob("*.toml")):
        framework = read_framework(path)
        key = (framework.code, framework.version)
        if key in seen:
            raise InputError(f"{path}：指标体系 {key[0]} 版本 {key[1]} 在 {seen[key]} 中也有定义")
        seen[key] = path.name
        frameworks.append(framework)
    return Registry(frameworks)
