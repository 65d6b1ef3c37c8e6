"""Core commands: migrate, seed, simulate, sweep, summary."""

import argparse
import json
from pathlib import Path

from core.db import migrate, session_scope
from core.settings import get_settings
from dudao.cli_support import MAX_ID, bounded, iso_date, require_seeded, year_arg
from dudao.terminal import print_summary, with_progress
from flows.daily_sweep import daily_sweep
from flows.simulate_year import check_request, simulate_year
from tasks.exchange.district_file import load_district, read_district_file
from tasks.operator.summary import year_summary


def cmd_migrate(args) -> int:
    migrate()
    print("ledger migrated")
    return 0


def cmd_seed(args) -> int:
    district = read_district_file(args.file or get_settings().district_path)
    migrate()
    with session_scope() as session:
        counts = load_district(session, district)
    print(f"{district.district}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


def cmd_simulate(args) -> int:
    migrate()
    require_seeded()
    check_request(args.year, args.seed, args.until)
    summary = with_progress(f"模拟 {args.year} 年", lambda: simulate_year(args.year, args.seed, args.until))
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def cmd_sweep(args) -> int:
    require_seeded()
    print(json.dumps(daily_sweep(args.as_of, skip_non_working_days=False), ensure_ascii=False))
    return 0


def cmd_summary(args) -> int:
    with session_scope() as session:
        summary = year_summary(session, args.year)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print_summary(summary)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("migrate", help="bring the ledger to the newest schema").set_defaults(func=cmd_migrate)
    seed = sub.add_parser("seed", help="load the district's units, principals and inspectors")
    seed.add_argument("--file", type=Path, help="district file (default: data/nanan.toml)")
    seed.set_defaults(func=cmd_seed)
    simulate = sub.add_parser("simulate", help="replay a year day by day (resumes an interrupted run)")
    simulate.add_argument("--year", type=year_arg, required=True)
    simulate.add_argument("--seed", type=bounded(0, MAX_ID), default=2026)
    simulate.add_argument("--until", type=iso_date, help="last day to simulate, YYYY-MM-DD")
    simulate.set_defaults(func=cmd_simulate)
    sweep = sub.add_parser("sweep", help="run the daily sweep for one day")
    sweep.add_argument("--as-of", type=iso_date, required=True)
    sweep.set_defaults(func=cmd_sweep)
    summary = sub.add_parser("summary", help="counts of the year's inspections, items, notices")
    summary.add_argument("--year", type=year_arg, required=True)
    summary.add_argument("--json", action="store_true")
    summary.set_defaults(func=cmd_summary)
