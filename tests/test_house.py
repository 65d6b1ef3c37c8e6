"""The house a newcomer walks into: areas under tasks/, each saying what it offers; no room too large."""

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AREAS = sorted(p.name for p in (ROOT / "tasks").iterdir() if (p / "__init__.py").exists())
PACKAGES = ("core", "models", "rules", "tasks", "flows", "deployments", "portal", "dudao")


def test_tasks_holds_areas_not_loose_modules():
    loose = sorted(p.name for p in (ROOT / "tasks").glob("*.py"))
    assert loose == ["__init__.py", "sweep.py"]
    assert AREAS == ["access", "channels", "cycle", "documents", "exchange", "ladder", "mail", "operator", "planning", "publication",
                     "roster", "self_evaluation", "simulation", "year_end"]


@pytest.mark.parametrize("area", AREAS)
def test_each_area_says_what_it_does_and_its_exports_resolve(area):
    package = importlib.import_module(f"tasks.{area}")
    assert len((package.__doc__ or "").strip()) > 80, f"tasks/{area}/__init__.py needs a few lines on the area"
    assert package.__all__, f"tasks/{area} exports nothing"
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


def test_no_module_over_250_lines():
    modules = [p for name in PACKAGES for p in (ROOT / name).rglob("*.py")]
    too_long = {str(p.relative_to(ROOT)): n for p in modules if (n := len(p.read_text().splitlines())) > 250}
    assert modules and not too_long
