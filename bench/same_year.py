"""Are two simulated years the same? For a change that must not change behaviour (a restructuring, a speed-up).

`python bench/same_year.py VAR_A VAR_B` compares the var folders of two runs of `bench/year_run.py` (its JSON
names each run's `var_dir`), e.g. one from a worktree of the tree before the change and one from after:
- the ledger, every table row by row with ids (`tests/ledger_compare.py`; wall-clock columns and the hashes
  that cover them aside), so also the order of the audit trail;
- every document file under `out/`, byte for byte;
- the Maildir under `outbox/`: the same file names, and every message byte for byte once its random MIME
  boundaries are numbered in order of appearance.
Prints what differs (or that nothing does) and exits 1 when anything differs.
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ledger_compare import differences, ledger_rows  # noqa: E402

BOUNDARY = re.compile(rb"={15}\d{19}==(?:\.\d+)?")


def numbered(raw: bytes) -> bytes:
    """The bytes with each random MIME boundary replaced by its number in order of appearance."""
    seen: dict[bytes, bytes] = {}
    return BOUNDARY.sub(lambda m: seen.setdefault(m.group(0), b"BOUNDARY-%d" % len(seen)), raw)


def files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}


def compare_tree(a: Path, b: Path, label: str, normal=lambda raw: raw) -> list[str]:
    left, right = files(a), files(b)
    found = [f"{label}: only in A: {name}" for name in sorted(set(left) - set(right))][:5]
    found += [f"{label}: only in B: {name}" for name in sorted(set(right) - set(left))][:5]
    changed = [name for name in sorted(set(left) & set(right))
               if normal(left[name].read_bytes()) != normal(right[name].read_bytes())]
    found += [f"{label}: differs: {name}" for name in changed[:5]]
    if len(changed) > 5:
        found.append(f"{label}: … and {len(changed) - 5} more files differ")
    print(f"{label}: {len(left)} files in A, {len(right)} in B, {len(changed)} differ", file=sys.stderr)
    return found


def compare(a: Path, b: Path) -> list[str]:
    found = differences(ledger_rows(f"sqlite:///{a / 'dudao.db'}"), ledger_rows(f"sqlite:///{b / 'dudao.db'}"))
    found += compare_tree(a / "out", b / "out", "documents")
    found += compare_tree(a / "outbox", b / "outbox", "maildir", numbered)
    return found


if __name__ == "__main__":
    found = compare(Path(sys.argv[1]), Path(sys.argv[2]))
    print("\n".join(found) if found else "same: ledger (ids included), documents and Maildir messages")
    sys.exit(1 if found else 0)
