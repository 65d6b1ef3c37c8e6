"""Inspector commands: the ratio report, roster import, zones, conflicts, training, appraisal."""

import argparse
import json
from pathlib import Path

from core import clock
from core.db import session_scope
from core.errors import InputError
from dudao.cli_support import iso_date, require_seeded, text_arg, year_arg
from dudao.commands.data import cmd_import as import_file
from dudao.plan_printing import print_ratio
from models.planning import InspectorExit
from rules.runtime import load_runtime
from tasks.roster.lookups import find_inspector, find_unit
from tasks.roster.records import add_training, appraise, dismiss, training_report
from tasks.roster.team_upkeep import declare_conflict
from tasks.roster.zones import assign_zones, ratio_report


def _today(args):
    return clock.resolve(getattr(args, "as_of", None))


def cmd_ratio(args) -> int:
    require_seeded()
    with session_scope() as session:
        report = ratio_report(session, _today(args), load_runtime())
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_ratio(report)
    return 0


def cmd_zones(args) -> int:
    require_seeded()
    rt = load_runtime()
    with session_scope() as session:
        assign_zones(session, _today(args), rt)
        report = ratio_report(session, _today(args), rt)
    print_ratio(report)
    return 0


def cmd_import(args) -> int:
    """The same import as `dudao import inspectors FILE` (one code path: columns, checks and messages)."""
    return import_file(argparse.Namespace(kind="inspectors", file=args.file, as_of=args.as_of, actor=args.actor))


def cmd_conflict(args) -> int:
    with session_scope() as session:
        inspector, unit = find_inspector(session, args.inspector), find_unit(session, args.unit, where="--unit")
        changed = declare_conflict(session, inspector, unit, args.reason, _today(args))
    print(f"{inspector.code} recused from {unit.name}" + (f"; replaced on {', '.join(changed)}" if changed else ""))
    return 0


def cmd_train(args) -> int:
    with session_scope() as session:
        inspector = find_inspector(session, args.inspector)
        add_training(session, inspector, args.on, args.hours, args.topic)
    print(f"{args.hours} hours recorded for {inspector.code} on {args.on}")
    return 0


def cmd_training(args) -> int:
    with session_scope() as session:
        rows = training_report(session, args.year, load_runtime())
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        flag = f"  缺 {r['shortfall']} 学时" if r["shortfall"] else ""
        print(f"{r['code']} {r['name']}: {r['hours']}/{r['required']}{flag}")
    return 0


def cmd_appraise(args) -> int:
    with session_scope() as session:
        inspector = find_inspector(session, args.inspector)
        appraise(session, inspector, args.year, args.result == "pass", args.note, _today(args))
    print(f"{inspector.code} {args.year}: {args.result}" + (" — dismissed" if args.result == "fail" else ""))
    return 0


def cmd_exit(args) -> int:
    with session_scope() as session:
        inspector = find_inspector(session, args.inspector)
        if session.get(InspectorExit, inspector.id) is not None:
            raise InputError(f"{inspector.code} 已离任")
        replaced = dismiss(session, inspector, _today(args), args.reason)
    print(f"{inspector.code} leaves the roster after {_today(args)}"
          + (f"; replaced on {', '.join(replaced)}" if replaced else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    inspectors = sub.add_parser("inspectors", help="督学：配比报告、名册、责任区、培训")
    cmds = inspectors.add_subparsers(dest="inspectors_command", required=True)
    ratio = cmds.add_parser("ratio", help="1:5（2000 人以上学校 1:1）及每个责任区至多 20 所")
    ratio.add_argument("--as-of", type=iso_date)
    ratio.add_argument("--json", action="store_true")
    ratio.set_defaults(func=cmd_ratio)
    zones = cmds.add_parser("zones", help="按在任挂牌督学重建责任区")
    zones.add_argument("--as-of", type=iso_date)
    zones.set_defaults(func=cmd_zones)
    imp = cmds.add_parser("import", help="导入督学名册（UTF-8 或 GBK 编码的 CSV，或 XLSX；同 `dudao import inspectors`）：文件有任何错误则不写入任何数据")
    imp.add_argument("file", type=Path)
    imp.add_argument("--as-of", type=iso_date)
    imp.add_argument("--actor", default="import", help="报送人，记入审计日志")
    imp.set_defaults(func=cmd_import)
    conflict = cmds.add_parser("conflict", help="申报利益冲突（回避）")
    for name in ("--inspector", "--unit", "--reason"):
        conflict.add_argument(name, type=text_arg, required=True)
    conflict.add_argument("--as-of", type=iso_date)
    conflict.set_defaults(func=cmd_conflict)
    train = cmds.add_parser("train", help="登记培训学时")
    train.add_argument("--inspector", required=True)
    train.add_argument("--on", type=iso_date, required=True)
    train.add_argument("--hours", type=float, required=True)
    train.add_argument("--topic", type=text_arg, required=True)
    train.set_defaults(func=cmd_train)
    training = cmds.add_parser("training", help="本年度培训学时，标出不足者")
    training.add_argument("--year", type=year_arg, required=True)
    training.add_argument("--json", action="store_true")
    training.set_defaults(func=cmd_training)
    appraisal = cmds.add_parser("appraise", help="登记年度考核（不合格：解聘）")
    appraisal.add_argument("--inspector", required=True)
    appraisal.add_argument("--year", type=year_arg, required=True)
    appraisal.add_argument("--result", choices=("pass", "fail"), required=True)
    appraisal.add_argument("--note", default="")
    appraisal.add_argument("--as-of", type=iso_date)
    appraisal.set_defaults(func=cmd_appraise)
    leave = cmds.add_parser("exit", help="督学离任（辞职、调离、解聘）：退出此后所有督导组和责任区")
    leave.add_argument("--inspector", required=True)
    leave.add_argument("--reason", type=text_arg, required=True)
    leave.add_argument("--as-of", type=iso_date, help="最后在任日（默认：今天）")
    leave.set_defaults(func=cmd_exit)
