"""`dudao --version` through the installed command (no ledger: the backend cannot matter)."""

import tomllib
from importlib import metadata

from tests.conftest import REPO, run_cli


def test_version_prints_the_installed_version_and_exits_0_backend_independent():
    result = run_cli("--version")
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"dudao {declared}（Python 3.11.")
    assert f"Prefect {metadata.version('prefect')}）" in result.stdout
