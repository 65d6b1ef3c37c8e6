"""The district's self-evaluation for the city: `dudao self-evaluation record|close|list`. The report itself is
filed by the sweep by the policy's report_due; the problems recorded here are followed by it until closed. Each
command calls the function of tasks/self_evaluation that the import calls; bad input is one Chinese line, exit 2,
nothing written."""

import argparse

from sqlmodel import select

from core import clock
from core.db import session_scope
from dudao.cli_support import iso_date, text_arg, year_arg
from models import SelfEvaluationProblem, Unit
from models.self_evaluation import STAGE_LABELS
from tasks.self_evaluation.problems import close_problem, problem_of, record_problem, responsible_unit


def cmd_record(args) -> int:
    with session_scope() as session:
        unit = responsible_unit(session, args.unit)
        row = record_problem(session, unit, args.problem, args.requirement, args.deadline, clock.resolve(args.as_of),
                             actor=args.actor)
        print(f"{row.year}年自查自评第{row.seq}项问题已登记：{unit.name}，整改期限 {row.deadline.isoformat()}")
    return 0


def cmd_close(args) -> int:
    with session_scope() as session:
        row = problem_of(session, args.year, args.seq)
        close_problem(session, row, args.note, clock.resolve(args.as_of), actor=args.actor)
        print(f"{row.year}年自查自评第{row.seq}项问题：已销号")
    return 0


def cmd_list(args) -> int:
    year = args.year or clock.resolve(None).year
    with session_scope() as session:
        rows = session.exec(select(SelfEvaluationProblem, Unit).join(Unit, Unit.id == SelfEvaluationProblem.unit_id)
                            .where(SelfEvaluationProblem.year == year).order_by(SelfEvaluationProblem.seq)).all()
        for row, unit in rows:
            print(f"{row.seq}\t{STAGE_LABELS[row.stage]}\t{row.deadline.isoformat()}\t{unit.name}\t{row.text}")
        if not rows:
            print(f"{year}年自查自评问题清单为空")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    verbs = sub.add_parser("self-evaluation", help="自查自评：登记、销号和列出区政府履行教育职责自查自评的问题").add_subparsers(
        dest="verb", required=True)
    record = verbs.add_parser("record", help="登记一项问题（责任单位、整改要求、整改期限），到期前提醒、逾期督办")
    record.add_argument("--unit", required=True, help="责任单位代码（区级部门、镇街或督导机构），如 D06")
    record.add_argument("--problem", type=text_arg, required=True, help="问题")
    record.add_argument("--requirement", type=text_arg, required=True, help="整改要求")
    record.add_argument("--deadline", type=iso_date, required=True, help="整改期限")
    record.add_argument("--as-of", type=iso_date, help="登记日期（默认今天），问题计入该年")
    record.add_argument("--actor", default="operator", help="登记人，记入审计日志")
    record.set_defaults(func=cmd_record)
    close = verbs.add_parser("close", help="整改完成，销号")
    close.add_argument("year", type=year_arg, help="自查自评年度")
    close.add_argument("seq", type=int, help="问题序号")
    close.add_argument("--note", type=text_arg, required=True, help="整改情况")
    close.add_argument("--as-of", type=iso_date, help="销号日期（默认今天）")
    close.add_argument("--actor", default="operator", help="销号人，记入审计日志")
    close.set_defaults(func=cmd_close)
    listing = verbs.add_parser("list", help="列出一年的问题清单及整改状态")
    listing.add_argument("--year", type=year_arg, help="年度（默认今年）")
    listing.set_defaults(func=cmd_list)
