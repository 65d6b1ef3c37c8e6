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
    sub.add_parser("migrate", help="将台账升级到最新结构").set_defaults(func=cmd_migrate)
    seed = sub.add_parser("seed", help="导入本区的单位、校长和督学")
    seed.add_argument("--file", type=Path, help="区数据文件（默认：data/nanan.toml）")
    seed.set_defaults(func=cmd_seed)
    simulate = sub.add_parser("simulate", help="逐日模拟一年（可续跑中断的运行）")
    simulate.add_argument("--year", type=year_arg, required=True)
    simulate.add_argument("--seed", type=bounded(0, MAX_ID), default=2026)
    simulate.add_argument("--until", type=iso_date, help="模拟的最后一天，YYYY-MM-DD")
    simulate.set_defaults(func=cmd_simulate)
    sweep = sub.add_parser("sweep", help="运行某一天的每日巡检")
    sweep.add_argument("--as-of", type=iso_date, required=True)
    sweep.set_defaults(func=cmd_sweep)
    summary = sub.add_parser("summary", help="本年度督导、整改事项、通知的数量")
    summary.add_argument("--year", type=year_arg, required=True)
    summary.add_argument("--json", action="store_true")
    summary.set_defaults(func=cmd_summary)
