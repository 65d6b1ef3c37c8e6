"""Every CLI failure of issue 20 (items 7, 9, 10) is one line on stderr, in Chinese by default, a non-zero
exit, no traceback, the ledger unchanged, and no hang on an endless input file (/dev/zero)."""

import pytest
from sqlmodel import func, select

from core.db import session_scope
from models import AuditEvent, Submission, Unit
from tests.conftest import run_cli

GARBAGE_URL = {"DUDAO_DATABASE_URL": "garbage"}
CASES = [
    # (argv, extra environment, exit code, what the one line must contain)
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
