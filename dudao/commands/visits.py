"""Routine visit commands (挂牌督导): import a batch of visit records, report coverage."""

import argparse
import json
from pathlib import Path

from core import clock
from core.db import session_scope
from dudao.cli_support import iso_date, require_seeded
from rules.runtime import load_runtime
from tasks.cycle.routine_visits import coverage, read_visits, record_visits


def cmd_import(args) -> int:
    require_seeded()
    as_of = clock.resolve(args.as_of)
    with session_scope() as session:
        counts = record_visits(session, read_visits(session, args.file, as_of), load_runtime(), as_of)
    print(f"{counts['visits']} visits recorded, {counts['inspections']} with problems opened for rectification")
    return 0


def cmd_coverage(args) -> int:
    with session_scope() as session:
        report = coverage(session, args.semester, load_runtime())
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"{report['semester']}: {report['schools'] - len(report['short'])}/{report['schools']} schools had "
              f"{report['required']} routine visits by their responsible inspector; short: "
              + ("、".join(report["short"]) or "none"))
        if report["by_others"]:
            print("visits by other inspectors (not counted): "
                  + "、".join(f"{code} {n}" for code, n in report["by_others"].items()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    visits = sub.add_parser("visits", help="责任督学的经常性督导（挂牌督导）")
    cmds = visits.add_subparsers(dest="visits_command", required=True)
    imp = cmds.add_parser("import", help="登记督导记录 CSV（学校、督学、日期、八项内容）")
    imp.add_argument("file", type=Path)
    imp.add_argument("--as-of", type=iso_date)
    imp.set_defaults(func=cmd_import)
    cov = cmds.add_parser("coverage", help="某学期（如 2026-1）责任督学经常性督导次数不足的学校")
    cov.add_argument("--semester", required=True)
    cov.add_argument("--json", action="store_true")
    cov.set_defaults(func=cmd_coverage)
