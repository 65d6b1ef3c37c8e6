"""Human steps of an inspection named by what the documents print (督导编号 and 问题序号): a unit's 申辩 and
the office's decision on it, and an inspector's 回头看 result. Each calls the function of tasks/cycle that the
import and the simulation call; bad input is one Chinese line, exit 2, nothing written."""

import argparse

from sqlmodel import select

from core import clock
from core.db import session_scope
from core.errors import InputError
from dudao.cli_support import iso_date
from models import Finding, Inspection, RectificationItem
from rules.runtime import load_runtime
from tasks.cycle.rebuttals import DECISION_LABELS, decide_rebuttal, state_case
from tasks.cycle.rechecks import recheck_item


def finding_of(session, code: str, seq: int) -> tuple[Finding, Inspection]:
    """The finding numbered `seq` of inspection `code`; InputError naming which part is unknown."""
    inspection = session.exec(select(Inspection).where(Inspection.code == code)).first()
    if inspection is None:
        raise InputError(f"督导编号 {code}：台账中没有这次督导")
    finding = session.exec(select(Finding).where(Finding.inspection_id == inspection.id, Finding.seq == seq)).first()
    if finding is None:
        raise InputError(f"督导 {code} 没有第{seq}项问题")
    return finding, inspection


def cmd_rebut(args) -> int:
    with session_scope() as session:
        finding, inspection = finding_of(session, args.inspection, args.seq)
        state_case(session, finding, inspection, args.reason, clock.resolve(args.as_of), actor=args.actor)
        print(f"督导 {inspection.code} 第{finding.seq}项问题：申辩已登记，待督导室决定")
    return 0


def cmd_decide(args) -> int:
    with session_scope() as session:
        finding, inspection = finding_of(session, args.inspection, args.seq)
        decide_rebuttal(session, finding, inspection, args.uphold, args.reason, clock.resolve(args.as_of),
                        actor="operator")
        outcome = "，该问题撤回" if args.uphold else "，维持原认定"
        print(f"督导 {inspection.code} 第{finding.seq}项问题：{DECISION_LABELS[finding.rebuttal_decision]}{outcome}")
    return 0


def cmd_recheck(args) -> int:
    rt = load_runtime()
    with session_scope() as session:
        finding, inspection = finding_of(session, args.inspection, args.seq)
        item = session.exec(select(RectificationItem).where(RectificationItem.finding_id == finding.id)).first()
        if item is None:
            raise InputError(f"督导 {inspection.code} 第{finding.seq}项问题没有整改事项")
        recheck_item(session, item, args.relapse, clock.resolve(args.as_of), rt, actor=args.actor, note=args.note)
        outcome = "问题反弹，重新整改（从督办起）" if args.relapse else "通过，已销号"
        print(f"督导 {inspection.code} 第{finding.seq}项问题回头看：{outcome}")
    return 0


def _finding_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inspection", help="督导编号，如 2026-ZH-007")
    parser.add_argument("seq", type=int, help="问题序号（初步督导意见反馈书、督导意见书所列）")
    parser.add_argument("--as-of", type=iso_date, help="办理日期（默认今天）")


def register(sub: argparse._SubParsersAction) -> None:
    rebuttal = sub.add_parser("rebuttal", help="申辩：被督导单位对初步督导意见提出申辩，督导室作出决定").add_subparsers(
        dest="verb", required=True)
    submit = rebuttal.add_parser("submit", help="被督导单位对一项问题提出申辩（申辩期限内）")
    _finding_args(submit)
    submit.add_argument("--reason", required=True, help="申辩理由")
    submit.add_argument("--actor", default="unit", help="提出人，记入审计日志")
    submit.set_defaults(func=cmd_rebut)
    decide = rebuttal.add_parser("decide", help="督导室决定申辩：成立则撤回该问题，不成立则维持")
    _finding_args(decide)
    outcome = decide.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--uphold", dest="uphold", action="store_true", help="申辩成立，撤回该问题")
    outcome.add_argument("--dismiss", dest="uphold", action="store_false", help="申辩不成立，维持原认定")
    decide.add_argument("--reason", required=True, help="决定理由")
    decide.set_defaults(func=cmd_decide)
    recheck = sub.add_parser("recheck", help="回头看：记录一项已验收整改事项的复查结果")
    _finding_args(recheck)
    result = recheck.add_mutually_exclusive_group(required=True)
    result.add_argument("--passed", dest="relapse", action="store_false", help="整改到位，销号")
    result.add_argument("--relapse", dest="relapse", action="store_true", help="问题反弹，重新整改（从督办起）")
    recheck.add_argument("--note", default="", help="复查情况说明")
    recheck.add_argument("--actor", default="inspector", help="复查督学，记入审计日志")
    recheck.set_defaults(func=cmd_recheck)
