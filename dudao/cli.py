"""The `dudao` command. Bad input prints one clear line and exits with code 2, having written nothing."""

import argparse
import importlib
import sys

from dudao.commands import MODULES
from dudao.errors import InputError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dudao", description="南岸区教育督导 workflows on Prefect")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"dudao: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
