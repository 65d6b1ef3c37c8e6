"""The `dudao` command. Bad input prints one clear line and exits with code 2, having written nothing."""

import argparse
import importlib
import platform
import sys
from importlib import metadata

from sqlalchemy.exc import OperationalError

from core.errors import InputError
from core.settings import get_settings
from core.toml_input import root_keys
from dudao.commands import modules_for


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`'s command alone (fast), or for every command when `argv` names none."""
    # The district the district file names (what `dudao seed` loads): the help needs no ledger.
    district = root_keys(get_settings().district_path).get("district", "")
    parser = argparse.ArgumentParser(prog="dudao", description=f"{district}教育督导 workflows on Prefect")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)
    for name in modules_for(sys.argv[1:] if argv is None else argv):
        importlib.import_module(name).register(sub)
    return parser


def _version() -> str:
    """dudao's version as installed, with the Python and Prefect it runs on (what a bug report needs)."""
    return (f"dudao {metadata.version('dudao')}（Python {platform.python_version()}，"
            f"Prefect {metadata.version('prefect')}）")


def main(argv: list[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"dudao: error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:  # the database went away (restart, network): not the operator's input
        reason = str(exc.orig or exc).strip().splitlines()[0]
        print(f"dudao: error: the ledger database did not answer ({reason}); what was not committed was rolled "
              "back: run the command again when it is back", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
