"""Are two simulated years the same? For a change that must not change behaviour (a restructuring, a speed-up).

`python bench/same_year.py VAR_A VAR_B` compares the var folders of two runs of `bench/year_run.py` (its JSON
names each run's `var_dir`), e.g. one from a worktree of the tree before the change and one from after:
- the ledger, every table row by row with ids (`tests/ledger_compare.py`; wall-clock columns and the hashes
  that cover them aside), so also the order of the audit trail;
- every document file under `out/`, byte for byte;
- the Maildir under `outbox/`: the same file names, and every message byte for byte once its random MIME
  boundaries are numbered in order of appearance.
Prints what differs (or that nothing does) and exits 1 when anything differs.

`--new-table NAME` (repeatable) declares a table the change adds: it must be in B and not in A; its rows
are printed and it is otherwise left out of the comparison (an undeclared table only in B is a difference).
"""

import argparse
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


def new_tables(left: dict, right: dict, names: list[str]) -> list[str]:
    """Take the declared new tables out of `right`, reporting their rows; what contradicts the declaration."""
    found = []
    for name in names:
        if name in left or name not in right:
            found.append(f"{name}: declared new, but it is {'in A' if name in left else 'not in B'}")
            continue
        rows = right.pop(name)
        print(f"ledger: new table {name} ({len(rows)} rows, left out of the comparison): {rows[:5]}",
              file=sys.stderr)
    return found


def compare(a: Path, b: Path, new: list[str] = ()) -> list[str]:
    left, right = ledger_rows(f"sqlite:///{a / 'dudao.db'}"), ledger_rows(f"sqlite:///{b / 'dudao.db'}")
    found = new_tables(left, right, list(new))
    found += differences(left, right)
    found += compare_tree(a / "out", b / "out", "documents")
    found += compare_tree(a / "outbox", b / "outbox", "maildir", numbered)
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Are two simulated years the same?")
    parser.add_argument("a", type=Path, help="var folder of the run before the change")
    parser.add_argument("b", type=Path, help="var folder of the run after it")
    parser.add_argument("--new-table", action="append", default=[], metavar="NAME",
                        help="a table the change adds (in B only): reported, not compared")
    args = parser.parse_args()
    found = compare(args.a, args.b, args.new_table)
    besides = f", apart from the new table(s) {', '.join(args.new_table)}" if args.new_table else ""
    same = f"same: ledger (ids included){besides}, documents and Maildir messages"
    print("\n".join(found) if found else same)
    sys.exit(1 if found else 0)
