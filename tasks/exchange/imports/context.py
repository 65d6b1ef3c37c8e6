"""What an import needs besides its rows: the transaction, the day, policy and calendar, the frameworks."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from rules.indicators import Registry
from rules.runtime import Runtime


@dataclass(frozen=True)
class Context:
    session: Session
    as_of: date
    rt: Runtime
    frameworks: Registry
    actor: str = "import"
