"""The language of what the command line says to people: Chinese by default, English when DUDAO_LANG=en.

A message is written once in both languages where it is said (`say("中文", "English")`): no catalogue
files, no gettext. Read from the environment on each call, so a test or a process can switch.
"""

import os


def english() -> bool:
    return os.environ.get("DUDAO_LANG", "zh").strip().lower().startswith("en")


def say(zh: str, en: str) -> str:
    """The message in the operator's language."""
    return en if english() else zh
