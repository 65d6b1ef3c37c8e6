"""The `dudao` command. Every failure is one line on stderr and a non-zero exit: bad input (exit 2, nothing
written), the ledger database unreachable or misnamed, a full disk, or anything unforeseen (exit 1; its
traceback goes to var/logs/dudao-errors.log, or to the terminal with DUDAO_DEBUG=1). Chinese by default,
English with DUDAO_LANG=en (core/lang.py, dudao/argparse_zh.py)."""

import argparse
import errno
import importlib
import os
import platform
import sys
import traceback
from datetime import datetime
from importlib import metadata

from sqlalchemy.exc import ArgumentError, OperationalError

from core.errors import InputError
from core.lang import say
from core.settings import get_settings
from core.toml_input import root_keys
from dudao.argparse_zh import Parser, install
from dudao.commands import modules_for


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`'s command alone (fast), or for every command when `argv` names none."""
    install()
    # The district the district file names (what `dudao seed` loads): the help needs no ledger.
    district = root_keys(get_settings().district_path).get("district", "")
    parser = Parser(prog="dudao", description=say(f"{district}教育督导：基于 Prefect 的工作流",
                                                  f"{district}教育督导 workflows on Prefect"))
    parser.add_argument("--version", action="version", version=_version(),
                        help=say("显示版本并退出", "show the version and exit"))
    sub = parser.add_subparsers(dest="command", required=True, title=say("命令", "commands"))
    for name in modules_for(sys.argv[1:] if argv is None else argv):
        importlib.import_module(name).register(sub)
    return parser


def _version() -> str:
    """dudao's version as installed, with the Python and Prefect it runs on (what a bug report needs)."""
    return (f"dudao {metadata.version('dudao')}（Python {platform.python_version()}，"
            f"Prefect {metadata.version('prefect')}）")


def fail(message: str, code: int) -> int:
    """One line saying what failed; an import's refusal adds one indented line per problem it found, so a
    person can work down the list (a single run-on line of forty problems is unreadable)."""
    print(say("dudao：错误：", "dudao: error: ") + message, file=sys.stderr)
    return code


def _unforeseen(exc: BaseException) -> int:
    """One line naming the failure; the traceback kept in a log beside the ledger's var/ folder."""
    where = get_settings().var_dir / "logs" / "dudao-errors.log"
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        with where.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().isoformat()} dudao {' '.join(sys.argv[1:])}\n{traceback.format_exc()}")
        kept = say(f"（详情见 {where}）", f" (details in {where})")
    except OSError:
        kept = ""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return fail(say(f"意外错误 {type(exc).__name__}：{detail}{kept}",
                    f"unexpected {type(exc).__name__}: {detail}{kept}"), 1)


def main(argv: list[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        return fail(str(exc), 2)
    except ArgumentError:  # DUDAO_DATABASE_URL is not a database URL
        return fail(say("DUDAO_DATABASE_URL 不是有效的数据库地址（例如 sqlite:///var/dudao.db 或 "
                        "postgresql+psycopg://user@host/db）",
                        "DUDAO_DATABASE_URL is not a database URL (e.g. sqlite:///var/dudao.db or "
                        "postgresql+psycopg://user@host/db)"), 2)
    except OperationalError as exc:  # the database went away (restart, network): not the operator's input
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return fail(say(f"台账数据库没有响应（{reason}）；未提交的内容已回滚：数据库恢复后请重新运行该命令",
                        f"the ledger database did not answer ({reason}); what was not committed was rolled "
                        "back: run the command again when it is back"), 1)
    except OSError as exc:  # a full disk, a folder we may not write: the writers leave nothing half-written
        where = f" {exc.filename}" if exc.filename else ""
        reason = say("磁盘已满", "the disk is full") if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        return fail(say(f"写入失败{where}：{reason}；没有留下写了一半的文件，台账未改变",
                        f"writing failed{where}: {reason}; nothing half-written was left, the ledger is unchanged"), 1)
    except KeyboardInterrupt:
        return fail(say("已中断", "interrupted"), 130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if os.environ.get("DUDAO_DEBUG"):
            raise
        return _unforeseen(exc)


if __name__ == "__main__":
    sys.exit(main())
