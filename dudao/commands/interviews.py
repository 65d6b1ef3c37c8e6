"""约谈 and 问责 by hand: `dudao interview raise|record`, `dudao accountability raise`. Each calls the function
of tasks/ladder that the simulation and the portal to come call; bad input is one Chinese line, exit 2,
nothing written."""

import argparse

from core import clock
from core.db import session_scope
from dudao.cli_support import iso_date
from rules.runtime import load_runtime
from tasks.ladder.by_hand import raise_accountability, raise_interview, unit_of
from tasks.ladder.interviews import interview_of, record_interview


def cmd_interview_raise(args) -> int:
    rt = load_runtime()
    with session_scope() as session:
        unit = unit_of(session, args.unit)
        interview = raise_interview(session, unit, args.reason, args.note, args.on, args.place,
                                    clock.resolve(args.as_of), rt, actor="operator")
        print(f"约谈 {interview.id}：{unit.name}，{interview.scheduled_on.isoformat()}，{interview.place}；"
              "约谈后用 `dudao interview record` 归档约谈记录")
    return 0


def cmd_interview_record(args) -> int:
    with session_scope() as session:
        interview = interview_of(session, args.interview_id)
        held_on = args.held_on or interview.scheduled_on
        record_interview(session, interview, held_on, args.attendees, args.record, clock.resolve(args.as_of),
                         actor="operator")
        print(f"约谈 {interview.id}：约谈记录已归档（约谈日期 {held_on.isoformat()}），报送上级主管部门和区委、区政府备案")
    return 0


def cmd_accountability_raise(args) -> int:
    rt = load_runtime()
    with session_scope() as session:
        unit = unit_of(session, args.unit)
        count, aggravated = raise_accountability(session, unit, args.reason, args.note, clock.resolve(args.as_of), rt,
                                                 actor="operator")
        heavier = "，属从重情形" if aggravated else ""
        print(f"{unit.name}：问责建议书已下发（本年度第{count}次被问责{heavier}）")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    interview = sub.add_parser("interview", help="约谈：按事由约谈被督导单位负责人，约谈后归档约谈记录").add_subparsers(
        dest="verb", required=True)
    raise_ = interview.add_parser("raise", help="按政策所列事由约谈（[hand_raised] interview_reasons）")
    raise_.add_argument("--unit", required=True, help="被督导单位代码，如 S001")
    raise_.add_argument("--reason", required=True, help="事由代码，如 refusal、safety（见 dudao policy show）")
    raise_.add_argument("--on", type=iso_date, required=True, help="约谈日期")
    raise_.add_argument("--place", help="约谈地点（默认政策 ladder.interview_place）")
    raise_.add_argument("--note", default="", help="具体情况")
    raise_.add_argument("--as-of", type=iso_date, help="通知日期（默认今天）")
    raise_.set_defaults(func=cmd_interview_raise)
    record = interview.add_parser("record", help="约谈之后归档约谈记录（报送上级主管部门和区委、区政府）")
    record.add_argument("interview_id", type=int, help="约谈编号")
    record.add_argument("--held-on", type=iso_date, help="实际约谈日期（默认通知所定日期）")
    record.add_argument("--attendees", required=True, help="参加人员")
    record.add_argument("--record", required=True, help="约谈情况")
    record.add_argument("--as-of", type=iso_date, help="归档日期（默认今天）")
    record.set_defaults(func=cmd_interview_record)
    accountability = sub.add_parser("accountability", help="问责：按政策所列事由提出问责建议").add_subparsers(
        dest="verb", required=True)
    raise_acc = accountability.add_parser("raise", help="按政策所列事由提出问责建议（[hand_raised] accountability_reasons）")
    raise_acc.add_argument("--unit", required=True, help="被督导单位代码")
    raise_acc.add_argument("--reason", required=True, help="事由代码，如 obstruction、threats（见 dudao policy show）")
    raise_acc.add_argument("--note", default="", help="具体情况")
    raise_acc.add_argument("--as-of", type=iso_date, help="日期（默认今天）")
    raise_acc.set_defaults(func=cmd_accountability_raise)
