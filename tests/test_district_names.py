"""Where else the district is named: flow run names (from the ledger), the sender name and the CLI's help (from
the district file), and the ledger's `district` table as migration 0011 makes it."""

import uuid
from contextlib import contextmanager

import pytest
from alembic import command
from prefect import flow
from prefect.runtime import flow_run
from sqlalchemy import create_engine, inspect, text

from core.db import alembic_config
from core.settings import Settings, get_settings
from core.toml_input import root_keys
from flows.naming import flow_run_name
from tests.conftest import ON_POSTGRES, SERVER_URL
from tests.district_support import SENDER, jiangbei_file


@flow(name="district-named", flow_run_name=flow_run_name("模拟{year}年度督导"))
def _named(year: int) -> str:
    return flow_run.name


def test_a_flow_run_is_named_after_the_ledger_s_district(jiangbei, prefect_harness):
    assert _named(2026) == "模拟2026年度督导 · 江北区"


def test_before_the_district_is_seeded_a_flow_run_has_no_district_in_its_name(ledger, prefect_harness):
    assert _named(2027) == "模拟2027年度督导"


def test_the_sender_and_the_help_name_the_district_file_s_district(ledger, tmp_path, monkeypatch):
    from dudao.cli import build_parser

    path = jiangbei_file(tmp_path)
    assert Settings(district_path=path).smtp_from_name == SENDER
    assert Settings(district_path=path, smtp_from_name="区教育督导室").smtp_from_name == "区教育督导室"
    assert Settings(district_path=tmp_path / "missing.toml").smtp_from_name == ""
    monkeypatch.setenv("DUDAO_DISTRICT_PATH", str(path))
    get_settings.cache_clear()  # the ledger fixture clears it again when the test ends
    assert build_parser().description == "江北区教育督导：基于 Prefect 的工作流"


def test_the_root_keys_of_a_file_whose_root_value_spans_lines_opening_with_a_bracket(tmp_path):
    path = tmp_path / "district.toml"
    path.write_text('district = "江北区"\nranks = [\n[1, 2],\n]\n\n[[units]]\ncode = "X"\n', encoding="utf-8")
    assert (root_keys(path)["district"], root_keys(path)["ranks"]) == ("江北区", [[1, 2]])
    path.write_text('district = "江北区"\n[[units]]\ncode = "X"\n[[units]\n', encoding="utf-8")  # broken table
    assert root_keys(path) == {"district": "江北区"}  # the root's keys, read before the tables


@contextmanager
def _scratch_ledger(tmp_path):
    """An empty database of its own on the tests' backend (a PostgreSQL database made for the test)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name, server = f"dudao_migration_{uuid.uuid4().hex[:8]}", create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        server.dispose()


@pytest.mark.parametrize("seeded_before", [True, False])
def test_a_ledger_seeded_before_0011_goes_on_naming_the_district_its_documents_named(tmp_path, seeded_before):
    """A ledger upgraded with units in it gets the identity the code used to write; an empty one gets none
    (its seed writes it). Downgrading drops the table."""
    with _scratch_ledger(tmp_path) as url:
        config = alembic_config(url)
        command.upgrade(config, "0001")
        engine = create_engine(url)
        if seeded_before:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO unit (code, name, kind, ownership, students, email, head_name) "
                                  "VALUES ('OFFICE', '区政府教育督导室', 'office', 'public', 0, 'o@x.cn', '')"))
        command.upgrade(config, "heads")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name, short_name, authority FROM district")).all()
        assert rows == ([(1, "南岸区", "南岸", "南岸区人民政府教育督导室")] if seeded_before else [])
        command.downgrade(config, "0011_district-1")  # this branch only: the others stay at their heads
        assert not inspect(engine).has_table("district") and inspect(engine).has_table("unit")
        engine.dispose()
