"""Locked installs: uv.lock agrees with pyproject.toml, and every package our code imports is declared.

The backend cannot matter here: these read files and run `uv lock --check` (offline, but for the stale lock, which
must resolve against PyPI), never the ledger.
"""

import ast
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ("core", "models", "rules", "tasks", "flows", "deployments", "portal", "dudao", "tests", "bench", "migrations")
OURS = set(CODE) | {"year_run", "year_district", "notices_smtp", "the", "order"}


def _uv() -> str:
    """The pinned uv the Makefile bootstraps (.tools/), else the one the lock itself installs beside Python."""
    for candidate in (ROOT / ".tools/bin/uv", Path(sys.executable).parent / "uv"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("uv") or pytest.fail("no uv: run `make install-dev`")


def _lock_check(folder: Path, offline: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([_uv(), "lock", "--check", *(["--offline"] if offline else []), "--directory", str(folder)],
                          capture_output=True, text=True, timeout=120)


def _project_copy(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_lock_agrees_with_pyproject_backend_independent():
    result = _lock_check(ROOT)
    assert result.returncode == 0, result.stderr


def test_lock_check_fails_when_pyproject_changes_and_lock_does_not_backend_independent(tmp_path):
    folder = _project_copy(tmp_path)
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"openpyxl>=3.1",', '"openpyxl>=3.1,<9",', 1))
    assert '"openpyxl>=3.1,<9"' in pyproject.read_text()
    # A changed requirement makes uv resolve again, which needs the index's pages: offline that depends on what
    # uv's cache happens to hold (a `uv sync` caches wheels, not index pages), so this check asks PyPI.
    result = _lock_check(folder, offline=False)
    assert result.returncode != 0
    assert "update" in result.stderr.lower(), result.stderr


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    specs = project["project"]["dependencies"] + project["dependency-groups"]["dev"]
    return {re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs}


def _imported_top_names() -> set[str]:
    names = set()
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    return names - OURS - set(sys.stdlib_module_names)


def test_every_imported_package_is_declared_backend_independent():
    distributions = importlib.metadata.packages_distributions()
    imported = _imported_top_names()
    assert {"prefect", "sqlmodel", "yaml", "httpx", "rich"} <= imported
    undeclared = {name: distributions.get(name) for name in imported
                  if not {d.lower().replace("_", "-") for d in distributions.get(name, [name])} & _declared()}
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_ruff_is_pinned_exactly_and_python_bounded_backend_independent():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert [s for s in project["dependency-groups"]["dev"] if s.startswith("ruff")] == ["ruff==0.17.6"]
    assert project["project"]["requires-python"] == ">=3.11,<3.12"
    assert not project["project"].get("optional-dependencies"), "dev tools belong to the dev group, not an extra"


def _compiled(source: Path) -> bool:
    """A .pyc beside `source` that Python will use: its header's source mtime and size are the file's."""
    import importlib.util

    cached = Path(importlib.util.cache_from_source(str(source)))
    if not cached.exists():
        return False
    header = cached.read_bytes()[:16]
    stat = source.stat()
    return (int.from_bytes(header[4:8], "little") == 0  # timestamp-based, not hash-based
            and int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
            and int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF)


def test_every_module_is_compiled_before_a_process_imports_it_backend_independent():
    """`make` leaves current bytecode for the installed packages and for our own modules: where
    PYTHONDONTWRITEBYTECODE is set (this machine and CI set it) Python never writes a .pyc, and each process it
    starts (a CLI command, a PDF worker, a typesetting part, Prefect's server) compiled from source every module
    it imported: `dudao --help` took twice as long."""
    import fastapi  # noqa: F401  (what the CLI, the portal and the PDF workers import, whatever ran before)
    import prefect  # noqa: F401
    import pypdf  # noqa: F401
    import sqlmodel  # noqa: F401

    ours = [path for folder in CODE for path in (ROOT / folder).rglob("*.py")]
    packages = [Path(module.__file__) for module in list(sys.modules.values())
                if getattr(module, "__file__", None) and "site-packages" in module.__file__
                and module.__file__.endswith(".py")]
    assert len(packages) > 500, f"only {len(packages)} installed modules imported: is this the .venv?"
    stale = [str(path.relative_to(ROOT)) for path in ours if not _compiled(path)]
    assert not stale, f"{len(stale)} of our modules without current bytecode (`make bytecode`): {stale[:5]}"
    missing = [str(path) for path in packages if not _compiled(path)]
    assert not missing, f"{len(missing)} installed modules without bytecode (`uv sync --compile-bytecode`): {missing[:5]}"
