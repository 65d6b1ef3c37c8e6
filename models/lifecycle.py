"""Kept only for the CLI's `from models.lifecycle import IllegalTransition, StaleTransition`
(dudao/commands/ladder.py, which others are changing meanwhile): the state machines live in
models/lifecycles/. Import from there."""

from models.lifecycles import IllegalTransition, StaleTransition

__all__ = ["IllegalTransition", "StaleTransition"]
