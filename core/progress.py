"""Progress of long work: flows report here; the CLI shows it as a rich progress bar in the terminal."""

from collections.abc import Callable

_listener: Callable[[float, str], None] | None = None


def listen(callback: Callable[[float, str], None] | None) -> None:
    """Install (or remove) the one listener, e.g. a terminal progress bar."""
    global _listener
    _listener = callback


def report(percent: float, label: str) -> None:
    if _listener is not None:
        _listener(percent, label)
