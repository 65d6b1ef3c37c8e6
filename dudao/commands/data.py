"""Data exchange: `dudao import KIND FILE`, `dudao export template KIND`, `dudao export ledger`."""

import argparse
import json
from pathlib import Path

from core import clock
from core.db import migrate, session_scope
from dudao.cli_support import iso_date, require_seeded, year_arg
from tasks.exchange.exports import export_ledger
from tasks.exchange.imports import run_import
from tasks.exchange.imports.templates import export_template

IMPORT_KINDS = ["self-assessment", "findings", "rectification", "rebuttals", "rebuttal-decisions", "reviews", "recheck",
                "interview-records", "hand-raised", "self-evaluation-problems", "units", "inspectors"]


def cmd_import(args) -> int:
    migrate()
    if args.kind not in ("units", "inspectors"):
        require_seeded()
    counts = run_import(args.kind, args.file, as_of=clock.resolve(args.as_of), actor=args.actor)
    print(json.dumps(counts, ensure_ascii=False))
    return 0


def cmd_export_template(args) -> int:
    migrate()
    path = args.output or Path(f"{args.kind}-template.xlsx")
    with session_scope() as session:
        rows = export_template(session, args.kind, path, args.inspection or [], clock.resolve(args.as_of))
    print(f"{path}: template '{args.kind}', {rows} prefilled rows")
    return 0


def cmd_export_ledger(args) -> int:
    migrate()
    with session_scope() as session:
        rows = export_ledger(session, args.year, args.output)
    print(f"{args.output}: 整改台账 {args.year}, {rows} items")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import a filled-in file (CSV in UTF-8 or GBK, or XLSX); "
                                        "a file with any error writes nothing")
    imp.add_argument("kind", choices=IMPORT_KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--as-of", type=iso_date, help="the day the file was handed in (default: today)")
    imp.add_argument("--actor", default="import", help="who handed it in, for the audit trail")
    imp.set_defaults(func=cmd_import)
    export = sub.add_parser("export", help="write templates to fill in, or the rectification ledger")
    what = export.add_subparsers(dest="what", required=True)
    template = what.add_parser("template", help="the blank file for `dudao import KIND`")
    template.add_argument("kind", choices=IMPORT_KINDS)
    template.add_argument("-o", "--output", type=Path,
                          help="file to write, .xlsx or .csv (default: KIND-template.xlsx)")
    template.add_argument("--inspection", action="append", metavar="CODE",
                          help="prefill the rows of this inspection (repeatable)")
    template.add_argument("--as-of", type=iso_date, help="the day whose framework applies (default: today)")
    template.set_defaults(func=cmd_export_template)
    ledger = what.add_parser("ledger", help="整改台账: every rectification item of a year, as XLSX")
    ledger.add_argument("--year", type=year_arg, required=True)
    ledger.add_argument("-o", "--output", type=Path, required=True, help="file to write, .xlsx (or .csv)")
    ledger.set_defaults(func=cmd_export_ledger)
