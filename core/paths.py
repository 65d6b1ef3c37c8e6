"""Where the repository is: its own module, so a process that only typesets a PDF (a large document's part,
started for a second or less) finds the layout and fonts without importing the settings (pydantic-settings:
0.4 s of a 0.55 s start)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
