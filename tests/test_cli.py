"""The command line: bad input gives one clear line, exit code 2, and writes nothing."""

import json

from sqlmodel import func, select

from core.db import session_scope
from models import Unit
from tests.conftest import run_cli


def _env(settings):
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url}


def _units() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Unit)).one()


def test_seed_loads_the_district_and_can_be_repeated(ledger):
    first = run_cli("seed", env=_env(ledger))
    assert first.returncode == 0, first.stderr
    assert "107 units" in first.stdout
    assert run_cli("seed", env=_env(ledger)).returncode == 0
    assert _units() == 107


def test_a_malformed_seed_file_is_refused_whole(ledger, tmp_path):
    bad = tmp_path / "bad.toml"
    source = __import__("pathlib").Path("data/nanan.toml").read_text(encoding="utf-8")
    bad.write_text(source.replace('superior = "D06"', 'superior = "D99"', 1), encoding="utf-8")
    result = run_cli("seed", "--file", str(bad), env=_env(ledger))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "未知单位“D99”" in result.stderr
    assert _units() == 0


def test_a_seed_file_with_a_syntax_error_names_the_line(ledger, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 1\ndistrict = \n[[units]]\n', encoding="utf-8")
    result = run_cli("seed", "--file", str(bad), env=_env(ledger))
    assert result.returncode == 2 and "bad.toml" in result.stderr and "line" in result.stderr
    assert _units() == 0


def test_commands_on_an_empty_ledger_say_to_seed_first(ledger):
    result = run_cli("sweep", "--as-of", "2026-05-06", env=_env(ledger))
    assert result.returncode == 2 and "dudao seed" in result.stderr


def test_a_bad_date_is_a_usage_error(ledger):
    result = run_cli("sweep", "--as-of", "2026-13-01", env=_env(ledger))
    assert result.returncode == 2 and "2026-13-01" in result.stderr


def test_summary_json_has_the_agreed_keys(seeded):
    result = run_cli("summary", "--year", "2026", "--json", env=_env(seeded))
    summary = json.loads(result.stdout)
    assert {"inspections", "rectification", "notices", "audit_events", "ladder"} <= summary.keys()


def _written() -> tuple:
    from models import AuditEvent, Inspection, Notice, SimulationRun

    with session_scope() as session:
        return (tuple(session.exec(select(SimulationRun.year, SimulationRun.seed, SimulationRun.last_day)).all()),
                *(session.exec(select(func.count()).select_from(t)).one() for t in (Inspection, Notice, AuditEvent)))


def test_simulate_refuses_another_seed_for_a_year_begun_and_a_day_outside_the_year(seeded):
    """Bad simulate arguments: one line naming what is wrong, exit code 2, nothing simulated or written
    (another seed used to fail inside the flow with Prefect's traceback)."""
    from models import SimulationRun

    with session_scope() as session:
        session.add(SimulationRun(year=2026, seed=11))
    before = _written()
    other_seed = run_cli("simulate", "--year", "2026", "--seed", "5", env=_env(seeded))
    assert other_seed.returncode == 2, other_seed.stderr[-1500:]
    assert other_seed.stderr == ("dudao：错误：2026 年是以 --seed 11 而不是 5 模拟的：请以 "
                                 "--seed 11 续跑，或从空台账开始\n")
    outside = run_cli("simulate", "--year", "2026", "--seed", "11", "--until", "2027-01-05", env=_env(seeded))
    assert outside.returncode == 2 and outside.stderr == "dudao：错误：--until 2027-01-05 不在 2026 年内\n"
    assert other_seed.stdout == outside.stdout == ""
    assert _written() == before


def test_command_table_names_what_each_module_registers():
    """`dudao X` imports only X's module, found by the table in dudao/commands: the table must match."""
    import argparse
    import importlib

    from dudao.commands import COMMANDS, modules_for

    for module, names in COMMANDS.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        assert tuple(sub.choices) == names, module
        assert all(modules_for([name, "--help"]) == [module] for name in names)
    assert modules_for(["--help"]) == list(COMMANDS) == modules_for(["no-such-command"])
