"""The README's "What was tried and survived" is generated from what the suite counted: the generator keeps
the rest of the README, shows both backends side by side, and names every fault a test injects."""

import re

from tests.conftest import REPO
from tests.figures import write_entry
from tests.figures_report import END, GROUPS, START, main, render, write_readme


def _entry(figures: dict) -> dict:
    return {"finished_at": "2026-11-26T10:00:00+00:00", "exit_status": 0, "tests": {"passed": 3},
            "figures": figures}


def test_the_section_is_rendered_from_the_figures_file_between_its_markers(tmp_path):
    path = tmp_path / "test-figures.json"
    write_entry("sqlite", _entry({"faults.kill9.sweep": 1, "hostile.policy.random-bytes": 200}), path)
    write_entry("postgresql", _entry({"faults.kill9.sweep": 1, "faults.db_outage": 4}), path)
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\nbefore\n\n{START}\nold figures typed by hand\n{END}\n\nafter\n", encoding="utf-8")
    section = render(__import__("json").loads(path.read_text(encoding="utf-8")))
    write_readme(section, readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# title\n\nbefore\n\n" + START) and text.endswith(END + "\n\nafter\n")
    assert "typed by hand" not in text
    assert "| `dudao sweep` killed with SIGKILL half-way through a busy day | 1 | 1 |" in text
    assert re.search(r"\| ledger connections cut mid-sweep while the database refused new ones.* \| — \| 4 \|", text)
    assert "| policy file: random bytes | 200 | — |" in text  # not counted there: not a zero


def test_without_a_figures_file_the_report_says_to_run_the_suite(tmp_path, capsys):
    assert main(["--figures", str(tmp_path / "none.json")]) == 2
    assert "run `make test` first" in capsys.readouterr().err


def test_every_fault_a_test_injects_has_a_label():
    """A fault counted by a test but missing here would show under its dotted name."""
    labels = {name for _title, prefix, names in GROUPS if prefix == "faults." for name in names}
    counted = set()
    for path in (REPO / "tests").glob("*.py"):
        counted |= set(re.findall(r"""["'](faults\.[a-z0-9_.-]+)["']""", path.read_text(encoding="utf-8")))
    assert counted and counted <= labels, counted - labels
