"""The one clock: everything that depends on "today" takes `as_of` and defaults to this."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from core.settings import get_settings


def today() -> date:
    """Today in the district's time zone (Asia/Shanghai by default)."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def now() -> datetime:
    """A timezone-aware wall-clock timestamp, for recording when something happened."""
    return datetime.now(UTC)


def resolve(as_of: date | None) -> date:
    """`as_of` if given, else today."""
    return as_of or today()
