"""Hostile input files: the district file, the policy file and the calendar override file, fuzzed with
hypothesis (random bytes, wrong encodings, truncation, huge values, deep nesting, missing and doubled
fields). Each loader answers InputError (one clear message) or a valid result, never another exception;
a valid district file also loads into the ledger without a database error, and a bad one writes nothing."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, select

from core.db import session_scope
from core.errors import InputError
from models import Inspector, Principal, Unit
from rules.policy import load_policy
from rules.workdays import read_overrides
from tasks.exchange.district_file import load_district, read_district_file
from tests.conftest import REPO, run_cli
from tests.figures import tally

FUZZ = settings(max_examples=int(os.environ.get("DUDAO_FUZZ_EXAMPLES", "200")), deadline=None,
                derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SAMPLES = {
    "district": (REPO / "data" / "nanan.toml").read_text(encoding="utf-8"),
    "policy": (REPO / "data" / "policy.toml").read_text(encoding="utf-8"),
    "calendar": (REPO / "data" / "calendar-overrides.example.txt").read_text(encoding="utf-8"),
}
LOADERS = {"district": read_district_file, "policy": load_policy, "calendar": read_overrides}
_SCRATCH = Path(tempfile.mkdtemp(prefix="dudao-fuzz-"))

HOSTILE_VALUES = [
    "10" * 40, "-1", "0", "1e309", "nan", "-inf", "9223372036854775808", "1.5", "true", "[]", "{}",
    '"<script>alert(1)</script>"', '"=HYPERLINK(\\"http://x\\")"', '"=cmd|\' /C calc\'!A0"', '""',
    '"\\u0000"', '"a\\r\\nBcc: evil@example.com"', '"\\u202e\\u2066"', '"' + "长" * 5000 + '"',
    "0001-01-01", "9999-12-31", "2026-02-30", '"2026-13-01"', "[" * 600 + "]" * 600,
    "{a={b={c={d={e=1}}}}}", '"../../../etc/passwd"', '"\\\\\\\\server\\\\share"',
]
ENCODINGS = ["gbk", "gb18030", "utf-16", "utf-16-be", "big5", "shift_jis", "cp1252", "utf-8-sig"]


@st.composite
def mutated(draw, kind: str) -> bytes:
    """The real sample file, damaged the way people and tools damage files."""
    lines = SAMPLES[kind].splitlines()
    how = draw(st.sampled_from(["value", "value", "drop", "double", "truncate", "encode", "insert"]))
    at = draw(st.integers(0, len(lines) - 1))
    if how == "value" and "=" in lines[at]:
        lines[at] = lines[at].split("=", 1)[0] + "= " + draw(st.sampled_from(HOSTILE_VALUES))
    elif how == "value":
        lines[at] = draw(st.sampled_from(["2026-10-01 holiday holiday", "2026-10-01", "20261001 workday",
                                          "2026-10-01 workday", "2026-10-01 HOLIDAY # x", "\ufeff2026-10-01 x"]))
    elif how == "drop":
        del lines[at]
    elif how == "double":
        lines.insert(at, lines[at])
    text = "\n".join(lines)
    if how == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    if how == "insert":
        pos = draw(st.integers(0, len(text)))
        return text[:pos].encode() + draw(st.binary(min_size=1, max_size=16)) + text[pos:].encode()
    if how == "encode":
        return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    return text.encode("utf-8")


def _load(kind: str, content: bytes):
    """Write the bytes to a file and load it: the result, or None when the loader said InputError."""
    path = _SCRATCH / f"{kind}-input"
    path.write_bytes(content)
    try:
        return LOADERS[kind](path)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message.strip() and "Traceback" not in message
        return None


def _fingerprint() -> tuple:
    with session_scope() as session:
        units = session.exec(select(Unit.code, Unit.name, Unit.email, Unit.students, Unit.head_name)
                             .order_by(Unit.code)).all()
        return (tuple(units), session.exec(select(func.count()).select_from(Inspector)).one(),
                session.exec(select(func.count()).select_from(Principal)).one())


def _load_into_ledger_and_roll_back(district) -> None:
    """A file that passed validation must load without a database error (then nothing is kept)."""
    from core.db import get_engine

    with Session(get_engine()) as session:
        try:
            load_district(session, district)
            session.flush()
        except InputError:
            pass
        finally:
            session.rollback()


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(content=st.binary(max_size=2000))
def test_random_bytes_are_refused_cleanly(kind, content):
    _load(kind, content)
    tally(f"hostile.{kind}.random-bytes")


@pytest.mark.parametrize("kind", ["policy", "calendar"])
@FUZZ
@given(data=st.data())
def test_damaged_files_are_refused_cleanly(kind, data):
    _load(kind, data.draw(mutated(kind)))
    tally(f"hostile.{kind}.damaged-file")


@FUZZ
@given(data=st.data())
def test_damaged_district_files_are_refused_or_load_without_a_database_error(seeded, data):
    before = _fingerprint()
    district = _load("district", data.draw(mutated("district")))
    if district is not None:
        _load_into_ledger_and_roll_back(district)
    tally("hostile.district.damaged-file")
    assert _fingerprint() == before


def test_deep_nesting_and_directories_are_input_errors(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000)
    for kind in ("district", "policy"):
        with pytest.raises(InputError, match="嵌套层次过深"):
            LOADERS[kind](deep)
        with pytest.raises(InputError, match="无法读取"):
            LOADERS[kind](tmp_path)
        tally(f"hostile.{kind}.edge-case", 2)


BAD_DISTRICT_EDITS = [
    ('name = "区政府办公室"', 'name = "区政府办公室\\r\\nBcc: x@y.cn"', "含有控制字符 U+000D"),
    ("students = ", "students = 100000000000000000000 #", "应不大于"),
    ('name = "区政府办公室"', 'name = "' + "校" * 101 + '"', "最多 100 个字"),
    ("schema_version = 1", "schema_version = 2", "schema_version"),
]


@pytest.mark.parametrize("old, new, expected", BAD_DISTRICT_EDITS)
def test_dudao_seed_refuses_a_bad_district_file_and_writes_nothing(seeded, tmp_path, old, new, expected):
    assert old in SAMPLES["district"], old
    bad = tmp_path / "district.toml"
    bad.write_text(SAMPLES["district"].replace(old, new, 1), encoding="utf-8")
    before = _fingerprint()
    result = run_cli("seed", "--file", str(bad), env={"DUDAO_DATABASE_URL": seeded.ledger_url,
                                                       "DUDAO_VAR_DIR": str(seeded.var_dir)})
    tally("hostile.district.cli")
    assert result.returncode == 2, result.stderr
    assert re.fullmatch(r"dudao：错误：.+\n", result.stderr) and expected in result.stderr
    assert _fingerprint() == before


def test_a_name_held_by_another_unit_is_refused_before_writing(seeded, tmp_path):
    """S001 takes S002's name while S002 is renamed: the ledger's unique name would fail mid-write."""
    text = SAMPLES["district"].replace('name = "花园路明德小学（示例）"', 'name = "花园路明德小学（新）"', 1)
    text = text.replace('name = "南坪育才小学（示例）"', 'name = "花园路明德小学（示例）"', 1)
    clash = tmp_path / "clash.toml"
    clash.write_text(text, encoding="utf-8")
    before = _fingerprint()
    with pytest.raises(InputError, match="已是台账中单位 S002 的名称"):
        with session_scope() as session:
            load_district(session, read_district_file(clash))
    tally("hostile.district.edge-case")
    assert _fingerprint() == before


IMPORT_KINDS = ["self-assessment", "findings", "rectification", "units", "inspectors"]
HOSTILE_CELLS = st.one_of(st.text(max_size=30), st.sampled_from(
    ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-1", "1e400", "99999999999999999999",
     "S001", "2026-ZH-001", "2026-02-30", "<script>alert(1)</script>", "\x00", "合格", "是", ""]))


@st.composite
def import_files(draw, kind: str) -> tuple[str, bytes]:
    """A CSV with the kind's real headers (some dropped or doubled) and hostile cells, or random bytes."""
    from tasks.exchange.imports import KINDS

    if draw(st.booleans()):
        return draw(st.sampled_from([".csv", ".xlsx"])), draw(st.binary(min_size=1, max_size=600))
    headers = [c.header for c in KINDS[kind].columns]
    headers = draw(st.lists(st.sampled_from(headers), min_size=1, max_size=len(headers) + 2))
    rows = draw(st.lists(st.lists(HOSTILE_CELLS, min_size=len(headers), max_size=len(headers)), max_size=4))
    text = "\n".join(",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in [headers, *rows])
    return ".csv", text.encode(draw(st.sampled_from(["utf-8", "gbk", "utf-16"])), errors="replace")


@pytest.mark.parametrize("kind", IMPORT_KINDS)
@settings(parent=FUZZ, max_examples=max(20, FUZZ.max_examples // 4))
@given(data=st.data())
def test_importers_refuse_hostile_files_cleanly(seeded, kind, data):
    from datetime import date

    from models import AuditEvent
    from tasks.exchange.imports import run_import

    suffix, content = data.draw(import_files(kind))
    path = _SCRATCH / f"import-{kind}{suffix}"
    path.write_bytes(content)
    with session_scope() as session:
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    try:
        run_import(kind, path, as_of=date(2026, 5, 15), actor="fuzz")
    except InputError:
        with session_scope() as session:
            assert session.exec(select(func.count()).select_from(AuditEvent)).one() == events
    tally(f"hostile.import-{kind}.hypothesis")
