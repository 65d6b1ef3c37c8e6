"""Every case of issue 20 items 6–13, as a table: one Chinese line on stderr (an import's refusal: its summary
line and one indented line per problem), the exit code, no traceback, the ledger unchanged, nothing
half-written, and no hang on an endless input file (/dev/zero).

Two cases are not command failures and have their own tests: item 11 (Prefect's shutdown-flush traceback
beside a large import: tests/test_prefect_shutdown_noise.py) and item 12 (`dudao serve` stopped with SIGTERM:
tests/test_serve_sigterm.py)."""

import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import func, select

from core.db import session_scope
from models import AuditEvent, Submission, Unit
from tests.conftest import run_cli

GARBAGE_URL = {"DUDAO_DATABASE_URL": "garbage"}
CASES = [
    # (argv, extra environment, exit code, what the one line must contain) — items 7, 9, 10
    (["rectification", "review", "1", "--reject", "--reason", ""], {}, 2, "参数 --reason：不能为空"),
    (["rectification", "review", "1", "--reject", "--reason", "   "], {}, 2, "参数 --reason：不能为空"),
    (["review", "decide", "1", "--dismiss", "--reason", ""], {}, 2, "参数 --reason：不能为空"),
    (["calendar", "add", "2026-01-01", "1000000000"], {}, 2, "参数 n：1000000000 不在 -10000 至 10000 之间"),
    (["calendar", "add", "9999-12-31", "1"], {}, 2, "日期 9999-12-31 不在 2000–2199 年之间"),
    (["rectification", "submit", "999999999999999999999999", "--text", "x"], {}, 2,
     "编号 999999999999999999999999 不存在"),
    (["rectification", "submit", "0", "--text", "x"], {}, 2, "编号 0 不存在"),
    (["summary", "--year", "99999999999"], {}, 2, "年份 99999999999 不在 2000–2199 之间"),
    (["plan", "--year", "-1", "--dry-run"], {}, 2, "年份 -1 不在 2000–2199 之间"),
    (["summary", "--year", "2026"], GARBAGE_URL, 2, "DUDAO_DATABASE_URL 不是有效的数据库地址"),
    (["policy", "show"], {"DUDAO_POLICY_PATH": "/dev/zero"}, 2, "/dev/zero：超过 32 MB"),
    (["seed"], {"DUDAO_DISTRICT_PATH": "/dev/zero"}, 2, "/dev/zero：超过 32 MB"),
    (["no-such-command"], {}, 2, "无效的选项 'no-such-command'"),
]


def _env(settings, extra: dict) -> dict:
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url, **extra}


def _ledger() -> tuple[int, ...]:
    with session_scope() as session:
        return tuple(session.exec(select(func.count()).select_from(t)).one() for t in (Unit, AuditEvent, Submission))


@pytest.mark.parametrize(("argv", "extra", "code", "expected"), CASES, ids=[" ".join(c[0]) or "-" for c in CASES])
def test_a_failure_is_one_chinese_line_and_changes_nothing(seeded, argv, extra, code, expected):
    before = _ledger()
    result = run_cli(*argv, env=_env(seeded, extra), timeout=120)  # a hang fails the test instead of passing it
    assert result.returncode == code, result.stderr[-2000:]
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("dudao"), result.stderr[-2000:]
    assert "错误：" in result.stderr and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert _ledger() == before


def test_english_behind_a_setting(seeded):
    result = run_cli("summary", "--year", "99999999999", env=_env(seeded, {"DUDAO_LANG": "en"}))
    assert result.returncode == 2
    assert result.stderr == ("dudao summary: error: argument --year: year 99999999999 is not between 2000 and 2199 "
                             "(see `dudao summary --help`)\n")


def test_help_is_chinese_by_default_and_english_behind_the_setting(seeded):
    chinese = run_cli("summary", "--help", env=_env(seeded, {}))
    english = run_cli("summary", "--help", env=_env(seeded, {"DUDAO_LANG": "en"}))
    assert chinese.returncode == english.returncode == 0
    assert chinese.stdout.startswith("用法：dudao summary") and "显示本帮助并退出" in chinese.stdout
    assert english.stdout.startswith("usage: dudao summary") and "show this help message and exit" in english.stdout


def test_an_unforeseen_error_is_one_line_with_its_traceback_kept(seeded, monkeypatch, capsys):
    """A bug is not the operator's input: one line, exit 1, the traceback in var/logs (backend cannot matter)."""
    from dudao import cli
    from dudao.commands import year

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(year, "cmd_summary", broken)
    assert cli.main(["summary", "--year", "2026"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("dudao：错误：意外错误 ZeroDivisionError：division by zero") and err.count("\n") == 1
    assert "ZeroDivisionError" in (seeded.var_dir / "logs" / "dudao-errors.log").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """A row: `{dir}` in argv and extra is the case's own folder (a full 512 KB tmpfs where `full_disk`)."""

    item: int
    name: str
    argv: tuple[str, ...]
    code: int
    expected: str  # what stderr must contain (every line of an import refusal, joined)
    extra: dict = field(default_factory=dict)
    prepare: Callable[[Path], None] = lambda folder: None
    full_disk: bool = False
    lines: int = 1  # lines on stderr: an import refusal has its summary and one line per problem; 0: none
    left: Callable[[Path], bool] = lambda folder: True  # what the folder must hold afterwards


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _dangling(folder: Path) -> None:
    (folder / "site").symlink_to(folder / "nowhere")


def _working_link(folder: Path) -> None:
    (folder / "target").mkdir()
    (folder / "site").symlink_to(folder / "target")


UNIT_ROW = ["单位代码", "单位名称", "单位类别", "学段", "办学性质", "学生数", "上级单位代码", "所属镇街代码", "电子邮箱", "负责人"]


def _units_file(name: str) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        row = ["S061", name, "学校", "小学", "公办", "820", "D06", "T01", "s061@school.nanan.example.cn", ""]
        (folder / "units.csv").write_text(",".join(UNIT_ROW) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    return write


HOSTILE = [
    Case(6, "export ledger on a full disk", ("export", "ledger", "--year", "2026", "-o", "{dir}/台账.xlsx"), 1,
         "磁盘已满", full_disk=True, left=lambda folder: _files(folder) == ["filler"]),
    Case(6, "publish on a full disk", ("publish", "--out", "{dir}/site", "--as-of", "2026-12-31"), 1, "磁盘已满",
         full_disk=True, left=lambda folder: _files(folder) == ["filler"]),
    Case(6, "emergency on a full disk", ("emergency", "--unit", "S001", "--reason", "疑似食物中毒", "--as-of",
                                         "2026-04-16"), 1, "磁盘已满", extra={"DUDAO_VAR_DIR": "{dir}"},
         full_disk=True, left=lambda folder: _files(folder) == ["filler"]),
    Case(7, "a rejection with a blank reason", ("rectification", "review", "1", "--reject", "--reason", " "), 2,
         "参数 --reason：不能为空"),
    Case(8, "publish onto a dangling link", ("publish", "--out", "{dir}/site", "--as-of", "2026-12-31"), 2,
         "是指向不存在位置", prepare=_dangling,
         left=lambda folder: (folder / "site").is_symlink() and not (folder / "nowhere").exists()),
    Case(8, "publish onto a working link", ("publish", "--out", "{dir}/site", "--as-of", "2026-12-31"), 0, "",
         prepare=_working_link, lines=0,
         left=lambda folder: (folder / "site").is_symlink() and (folder / "target" / "index.html").is_file()),
    Case(9, "a day count out of range", ("calendar", "add", "2026-01-01", "1000000000"), 2,
         "参数 n：1000000000 不在 -10000 至 10000 之间"),
    Case(9, "a garbage database address", ("summary", "--year", "2026"), 2,
         "DUDAO_DATABASE_URL 不是有效的数据库地址", extra=GARBAGE_URL),
    Case(10, "an endless policy file", ("policy", "show"), 2, "/dev/zero：超过 32 MB",
         extra={"DUDAO_POLICY_PATH": "/dev/zero"}),
    Case(13, "a right-to-left mark in 单位名称", ("import", "units", "{dir}/units.csv"), 2,
         "units.csv：1 处问题，未导入任何数据\n  units.csv：第 2 行，单位名称 (B) 列：含有控制字符 U+200F",
         prepare=_units_file("南坪\u200f新城小学"), lines=2),
    Case(13, "an emoji joined by ZWJ in 单位名称", ("import", "units", "{dir}/units.csv"), 2,
         "第 2 行，单位名称 (B) 列：含有控制字符 U+200D", prepare=_units_file("南坪👨\u200d👩小学"), lines=2),
    Case(13, "a right-to-left mark in --text", ("rectification", "submit", "1", "--text", "整改\u200f完成"), 2,
         "参数 --text：含有控制字符 U+200F"),
]


@pytest.fixture
def folder(tmp_path, request):
    """The case's folder; a full 512 KB tmpfs for a full-disk case (as root in the sandbox)."""
    case = request.param
    folder = tmp_path / f"case-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    if not case.full_disk:
        yield folder
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()} "
                    "(tests/test_atomic_writes.py injects ENOSPC instead)")
    try:
        _fill(folder)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as filler:
        for size in (4096, 1):  # whole blocks, then the last bytes of a partial one
            try:
                while True:
                    filler.write(b"\0" * size)
            except OSError:
                pass


@pytest.mark.parametrize(("case", "folder"), [(c, c) for c in HOSTILE], indirect=["folder"],
                         ids=[f"{c.item}: {c.name}" for c in HOSTILE])
def test_every_case_of_items_6_to_13(seeded, case, folder):
    case.prepare(folder)
    argv = [part.replace("{dir}", str(folder)) for part in case.argv]
    extra = {k: v.replace("{dir}", str(folder)) for k, v in case.extra.items()}
    before = _ledger() if "DUDAO_DATABASE_URL" not in extra else None
    result = run_cli(*argv, env=_env(seeded, extra), timeout=180)
    assert result.returncode == case.code, result.stderr[-3000:]
    assert result.stderr.count("\n") == case.lines, result.stderr[-3000:]
    if case.lines:
        assert result.stderr.startswith("dudao") and "错误：" in result.stderr.splitlines()[0], result.stderr
        assert case.expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert case.left(folder), _files(folder)
    if before is not None and case.code:
        assert _ledger() == before
