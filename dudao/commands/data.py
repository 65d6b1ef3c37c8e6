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
    imp = sub.add_parser("import", help="导入填好的文件（UTF-8 或 GBK 编码的 CSV，或 XLSX）；文件有任何错误则不写入任何数据")
    imp.add_argument("kind", choices=IMPORT_KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--as-of", type=iso_date, help="文件报送日期（默认：今天）")
    imp.add_argument("--actor", default="import", help="报送人，记入审计日志")
    imp.set_defaults(func=cmd_import)
    export = sub.add_parser("export", help="导出待填写的模板，或整改台账")
    what = export.add_subparsers(dest="what", required=True)
    template = what.add_parser("template", help="`dudao import KIND` 所用的空白文件")
    template.add_argument("kind", choices=IMPORT_KINDS)
    template.add_argument("-o", "--output", type=Path,
                          help="输出文件，.xlsx 或 .csv（默认：KIND-template.xlsx）")
    template.add_argument("--inspection", action="append", metavar="CODE",
                          help="预填此督导的行（可重复）")
    template.add_argument("--as-of", type=iso_date, help="按哪一天适用的指标体系（默认：今天）")
    template.set_defaults(func=cmd_export_template)
    ledger = what.add_parser("ledger", help="整改台账：一年的全部整改事项，XLSX 格式")
    ledger.add_argument("--year", type=year_arg, required=True)
    ledger.add_argument("-o", "--output", type=Path, required=True, help="输出文件，.xlsx（或 .csv）")
    ledger.set_defaults(func=cmd_export_ledger)
