"""Ladder commands: rectification reports and their review, 复核 requests, raising an issue, the policy in
force and the working-day calendar."""

import argparse
import json
import sys

from sqlmodel import select

from core import clock
from core.db import session_scope
from core.errors import InputError
from core.lang import say
from core.settings import get_settings
from dudao.cli_support import FIRST_YEAR, LAST_YEAR, bounded, id_arg, iso_date, text_arg
from models import Finding, Inspection, RectificationItem, ReviewRequest, Submission, Unit
from models.lifecycles import IllegalTransition, StaleTransition
from rules.policy import load_policy
from rules.runtime import load_runtime
from rules.workdays import WorkdayCalendar
from tasks.cycle.amendments import Amendment
from tasks.cycle.responses import review_submission, submit_rectification
from tasks.cycle.review import decide_review, request_review
from tasks.ladder.issue_levels import raise_issue

MAX_WORKDAYS = 10_000  # about 40 years of working days: more is a typing mistake


def _get(session, model, key, what: str):
    row = session.get(model, key)
    if row is None:
        raise InputError(f"没有 id 为 {key} 的{what}")
    return row


def _transition_errors(work):
    """Run `work`; a lifecycle refusal is bad input (exit 2), not a crash."""
    try:
        return work()
    except (IllegalTransition, StaleTransition) as exc:
        raise InputError(str(exc)) from None


def cmd_submit(args) -> int:
    with session_scope() as session:
        item = _get(session, RectificationItem, args.item_id, "整改事项")
        unit = session.get(Unit, item.unit_id)
        submission = _transition_errors(lambda: submit_rectification(
            session, item, args.text.strip(), clock.resolve(args.as_of), actor=unit.code))
        session.flush()
        print(f"submission {submission.id} for item {item.id} ({unit.name}): pending review")
    return 0


def cmd_review_submission(args) -> int:
    rt = load_runtime()
    with session_scope() as session:
        submission = _get(session, Submission, args.submission_id, "整改报告")
        if submission.decision != "pending":
            raise InputError(f"整改报告 {submission.id} 已审核（{submission.decision}）")
        _transition_errors(lambda: review_submission(session, submission, args.accept, args.reason,
                                                     clock.resolve(args.as_of), rt, actor="operator"))
        print(f"submission {submission.id}: {submission.decision}")
    return 0


def cmd_review_request(args) -> int:
    rt = load_runtime()
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.code == args.inspection)).first()
        if inspection is None:
            raise InputError(f"没有编号为“{args.inspection}”的督导")
        request = request_review(session, inspection, args.reason, clock.resolve(args.as_of), rt, actor="unit")
        print(f"review request {request.id} for {inspection.code}: decide by {request.decide_by.isoformat()}; "
              "the ladder is not suspended")
    return 0


def cmd_review_decide(args) -> int:
    with session_scope() as session:
        request = _get(session, ReviewRequest, args.request_id, "复核申请")
        decide_review(session, request, args.uphold, args.reason, clock.resolve(args.as_of), actor="operator",
                      withdraw=tuple(args.withdraw or ()), amendments=_amendments(args))
        print(f"review request {request.id}: {request.decision}")
    return 0


def _amendments(args) -> tuple[Amendment, ...]:
    """`--amend N` with the new wording, 整改要求 and/or 整改期限 of that finding."""
    changes = (args.new_text, args.new_requirement, args.new_deadline)
    if args.amend is None:
        if any(change is not None for change in changes):
            raise InputError("--new-text、--new-requirement、--new-deadline 须与 --amend N 一起使用")
        return ()
    return (Amendment(args.amend, *changes),)


def cmd_raise(args) -> int:
    rt = load_runtime()
    with session_scope() as session:
        finding = _get(session, Finding, args.finding_id, "问题")
        if not raise_issue(session, finding, clock.resolve(args.as_of), rt, actor="operator"):
            raise InputError(f"问题 {finding.id} 已在上报中、已撤回或已在最高一级")
        print(f"finding {finding.id}: raised at level {finding.level}, rises on {finding.escalate_on}")
    return 0


def cmd_policy_show(args) -> int:
    path = get_settings().policy_path
    policy = load_policy(path)
    if args.json:
        print(json.dumps(policy.model_dump(mode="json"), ensure_ascii=False))
        return 0
    print(f"# policy in force: {path}")
    for name, value in policy.model_dump(mode="json").items():
        if not isinstance(value, dict):
            print(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    for name, value in policy.model_dump(mode="json").items():
        if isinstance(value, dict):
            print(f"\n[{name}]")
            for key, setting in value.items():
                print(f"{key} = {json.dumps(setting, ensure_ascii=False)}")
    return 0


def cmd_calendar_add(args) -> int:
    if not FIRST_YEAR <= args.start.year <= LAST_YEAR:  # checked before the calendar is asked
        raise InputError(say(f"日期 {args.start} 不在 {FIRST_YEAR}–{LAST_YEAR} 年之间",
                             f"{args.start} is not in the years {FIRST_YEAR} to {LAST_YEAR}"))
    calendar = WorkdayCalendar.from_file(get_settings().calendar_override_path)
    answer = calendar.add_workdays(args.start, args.n)
    print(answer.isoformat())
    for year in calendar.provisional_years_between(args.start, answer):
        print(f"注意：{year}年为临时日历（放假安排未公布，按《全国年节及纪念日放假办法》推算，不含调休），"
              "此日期为临时日期", file=sys.stderr)
    return 0


def _as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=iso_date, help="发生日期（默认：今天）")


def _decision(parser: argparse.ArgumentParser, yes: str, no: str, dest: str) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(f"--{yes}", dest=dest, action="store_true")
    group.add_argument(f"--{no}", dest=dest, action="store_false")
    parser.add_argument("--reason", type=text_arg, required=True)
    _as_of(parser)


def register(sub: argparse._SubParsersAction) -> None:
    rect = sub.add_parser("rectification", help="整改报告及其审核").add_subparsers(
        dest="verb", required=True)
    submit = rect.add_parser("submit", help="报送一个整改事项的整改报告")
    submit.add_argument("item_id", type=id_arg)
    submit.add_argument("--text", type=text_arg, required=True)
    _as_of(submit)
    submit.set_defaults(func=cmd_submit)
    review = rect.add_parser("review", help="通过或退回整改报告（退回后期限照常计算）")
    review.add_argument("submission_id", type=id_arg)
    _decision(review, "accept", "reject", "accept")
    review.set_defaults(func=cmd_review_submission)
    _register_review(sub)
    finding = sub.add_parser("finding", help="问题的四级议题上报").add_subparsers(dest="verb", required=True)
    raise_ = finding.add_parser("raise", help="将单位无法自行解决的问题提请协调")
    raise_.add_argument("finding_id", type=id_arg)
    _as_of(raise_)
    raise_.set_defaults(func=cmd_raise)
    policy = sub.add_parser("policy", help="现行政策").add_subparsers(dest="verb", required=True)
    show = policy.add_parser("show", help="打印现行政策（已校验）")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_policy_show)
    cal = sub.add_parser("calendar", help="中国工作日").add_subparsers(dest="verb", required=True)
    add = cal.add_parser("add", help="打印某日之后第 N 个工作日的日期")
    add.add_argument("start", type=iso_date)
    add.add_argument("n", type=bounded(-MAX_WORKDAYS, MAX_WORKDAYS))
    add.set_defaults(func=cmd_calendar_add)


def _register_review(sub: argparse._SubParsersAction) -> None:
    review = sub.add_parser("review", help="督导意见书的复核（复核期间整改督办照常进行）").add_subparsers(
        dest="verb", required=True)
    request = review.add_parser("request", help="单位对督导意见书申请复核")
    request.add_argument("inspection", help="督导编号，如 2026-ZH-007")
    request.add_argument("--reason", type=text_arg, required=True)
    _as_of(request)
    request.set_defaults(func=cmd_review_request)
    decide = review.add_parser("decide", help="督导室对复核申请作出决定")
    decide.add_argument("request_id", type=id_arg)
    _decision(decide, "uphold", "dismiss", "uphold")
    decide.add_argument("--withdraw", type=int, action="append", metavar="N",
                        help="复核成立时撤回的问题序号（可重复）：其整改事项关闭，不再督办")
    decide.add_argument("--amend", type=int, metavar="N",
                        help="复核成立时变更的问题序号：与 --new-text、--new-requirement、--new-deadline 一起使用，"
                             "整改期限变更后督办从新期限起算")
    decide.add_argument("--new-text", type=text_arg, help="变更后的问题表述")
    decide.add_argument("--new-requirement", type=text_arg, help="变更后的整改要求")
    decide.add_argument("--new-deadline", type=iso_date, help="变更后的整改期限")
    decide.set_defaults(func=cmd_review_decide)
