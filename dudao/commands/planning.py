"""Planning commands: plan (the 年度督导工作计划), special and emergency inspections started by hand."""

import argparse
import json
from datetime import date

from pydantic import ValidationError

from core import clock
from core.db import session_scope
from core.errors import InputError
from core.toml_input import zh_message
from dudao.cli_support import MAX_ID, bounded, iso_date, require_seeded, text_arg, year_arg
from dudao.plan_printing import print_plan, print_ratio
from flows.annual_cycle import annual_cycle, cycle_rows
from flows.annual_plan import annual_plan
from flows.emergency_inspection import emergency_inspection
from flows.special_inspection import special_inspection
from rules.runtime import load_runtime
from tasks.cycle.special_emergency import (
    EmergencyInspectionInput,
    SpecialInspectionInput,
    start_emergency,
    start_special,
)
from tasks.planning.plan_document import plan_view
from tasks.planning.year_plan import make_plan
from tasks.roster.zones import assign_zones, ratio_report


def _check_plan(year: int, seed: int | None, as_of: date) -> dict:
    """Draw the plan in a transaction that is rolled back: bad input fails here, before anything is written."""
    rt = load_runtime()
    with session_scope() as session:
        make_plan(session, year=year, rt=rt, as_of=as_of, seed=seed)
        assign_zones(session, as_of, rt)
        result = {"plan": plan_view(session, year, as_of), "ratio": ratio_report(session, as_of, rt)}
        session.rollback()
    return result


def cmd_plan(args) -> int:
    require_seeded()
    as_of = args.as_of or clock.today()
    result = _check_plan(args.year, args.seed, as_of)
    if not args.dry_run:

        result = annual_plan(args.year, args.seed, as_of)
    if args.json:
        print(json.dumps({**result["plan"], "ratio": result["ratio"]}, ensure_ascii=False))
        return 0

    print_plan(result["plan"])
    print_ratio(result["ratio"])
    return 0


def cmd_cycle(args) -> int:
    """annual-cycle by hand: refused (exit 2, one line naming annual-plan) when the year has no plan."""
    require_seeded()
    as_of = args.as_of or clock.today()
    year = args.year or as_of.year
    cycle_rows(year)
    print(json.dumps({"year": year, "inspections": annual_cycle(year, as_of)}, ensure_ascii=False))
    return 0


def _units(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("name at least one unit")
    return names


def _validated(model, **fields):
    try:
        return model(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(f"--{'.'.join(str(p) for p in first['loc'])}：{zh_message(first)}") from None


def _precheck(start, request) -> None:
    """Run the start in a transaction that is rolled back, so bad input fails before any flow runs."""
    with session_scope() as session:
        start(session, request, load_runtime(), clock.resolve(request.as_of))
        session.rollback()


def _start_by_hand(kind: str, **fields) -> int:
    """Validate a special or emergency request, check it against the ledger, then run its flow."""
    model, start, run = {"special": (SpecialInspectionInput, start_special, special_inspection),
                         "emergency": (EmergencyInspectionInput, start_emergency, emergency_inspection)}[kind]
    require_seeded()
    request = _validated(model, **fields)
    _precheck(start, request)
    print(json.dumps(run(request), ensure_ascii=False))
    return 0


def cmd_special(args) -> int:
    return _start_by_hand("special", theme=args.theme, units=args.units, as_of=args.as_of)


def cmd_emergency(args) -> int:
    return _start_by_hand("emergency", unit=args.unit, reason=args.reason, as_of=args.as_of, deadline=args.deadline)


def register(sub: argparse._SubParsersAction) -> None:
    plan = sub.add_parser("plan", help="编制（或显示）年度督导工作计划及配比报告")
    plan.add_argument("--year", type=year_arg, required=True)
    plan.add_argument("--seed", type=bounded(0, MAX_ID), help="双随机抽取的公开种子（默认：由年度推算）")
    plan.add_argument("--as-of", type=iso_date, help="编制日期，YYYY-MM-DD（默认：今天）")
    plan.add_argument("--json", action="store_true", help="一个 JSON 对象：对象、合并、抽取种子")
    plan.add_argument("--dry-run", action="store_true", help="抽取并显示计划，不写入")
    plan.set_defaults(func=cmd_plan)
    cycle = sub.add_parser("cycle", help="annual-cycle：按年度计划推进督导周期（无计划则拒绝）")
    cycle.add_argument("--year", type=int, help="督导年度（默认：--as-of 所在年度）")
    cycle.add_argument("--as-of", type=iso_date, help="YYYY-MM-DD（默认：今天）")
    cycle.set_defaults(func=cmd_cycle)
    special = sub.add_parser("special", help="发起专项督导（一个主题，多个单位）")
    special.add_argument("--theme", type=text_arg, required=True)
    special.add_argument("--units", type=_units, required=True, help="名称或代码，以逗号分隔")
    special.add_argument("--as-of", type=iso_date)
    special.set_defaults(func=cmd_special)
    emergency = sub.add_parser("emergency", help="发起突发事件督导（快速程序，向上报告）")
    emergency.add_argument("--unit", required=True, help="名称或代码")
    emergency.add_argument("--reason", type=text_arg, required=True)
    emergency.add_argument("--as-of", type=iso_date)
    emergency.add_argument("--deadline", type=iso_date,
                           help="整改期限 YYYY-MM-DD（默认：督导意见书下达后按政策规定的天数）")
    emergency.set_defaults(func=cmd_emergency)
