"""The unit a manual inspection targets is chosen from a list in the UI: at deploy time the ledger's unit
names become an `enum` on every `unit` (or `units` item) field of the parameter schema. The flow still
checks the name against the ledger when it runs, so a stale list or a hand-made API call fails the run
with a clear message instead of creating anything."""

import copy

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from core.db import session_scope
from models import Unit, UnitKind

UNIT_FIELDS = ("unit", "unit_name")
UNIT_LIST_FIELDS = ("units", "unit_names")


def ledger_unit_names() -> list[str]:
    """Names of the units that can be inspected (offices excluded), in code order; [] without a ledger."""
    try:
        with session_scope() as session:
            return list(session.exec(select(Unit.name).where(Unit.kind != UnitKind.OFFICE).order_by(Unit.code)).all())
    except SQLAlchemyError:
        return []


def _patch_properties(properties: dict, names: list[str]) -> None:
    for key, prop in properties.items():
        if key in UNIT_FIELDS and prop.get("type") == "string":
            prop["enum"] = list(names)
        elif key in UNIT_LIST_FIELDS and prop.get("type") == "array" and prop.get("items", {}).get("type") == "string":
            prop["items"]["enum"] = list(names)


def with_unit_choices(schema: dict, names: list[str]) -> dict:
    """A copy of a parameter schema whose unit fields (top level and in models) offer `names`."""
    patched = copy.deepcopy(schema)
    if not names:
        return patched
    _patch_properties(patched.get("properties", {}), names)
    for definition in patched.get("definitions", {}).values():
        _patch_properties(definition.get("properties", {}), names)
    return patched
