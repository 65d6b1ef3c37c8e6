"""Helpers shared by the command modules."""

import argparse
from datetime import date

from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from models import Unit


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in YYYY-MM-DD form") from None


def require_seeded() -> None:
    with session_scope() as session:
        if session.exec(select(Unit.id)).first() is None:
            raise InputError("the ledger has no units: run `dudao seed` first")
