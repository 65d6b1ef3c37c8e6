"""Channel messages beside e-mail (群机器人, 短信): `dudao channels [--failed|--stuck] [--json]`,
`dudao channels retry ID`. They are delivered with the notices (`dudao notices deliver`, the daily sweep)."""

import argparse
import json

from core import clock
from core.db import session_scope
from core.lang import say
from core.settings import get_settings
from dudao.cli_support import bounded, id_arg, iso_date
from tasks.channels.delivery import retry_message
from tasks.channels.report import CHANNEL_LABELS, channel_counts, failed_messages, message_row, stuck_messages


def cmd_channels(args) -> int:
    with session_scope() as session:
        if args.failed or args.stuck:
            total, messages = (failed_messages(session, args.limit) if args.failed
                               else stuck_messages(session, get_settings().smtp_max_attempts, args.limit))
            rows = [message_row(m) for m in messages]
        else:
            total, rows = None, [channel_counts(session)]
    if args.json:
        print(json.dumps(rows if total is not None else rows[0], ensure_ascii=False))
    elif total is None:
        print("  ".join(f"{what} {count}" for what, count in rows[0].items())
              or say("没有群机器人或短信消息", "no channel messages"))
    else:
        what = say("失败", "failed") if args.failed else say("滞留", "stuck")
        print(say(f"{what}的渠道消息 {total} 条", f"{total} {what} channel message(s)")
              + (say(f"，显示 {len(rows)} 条", f", {len(rows)} shown") if total > len(rows) else ""))
        for row in rows:
            print(f"#{row['id']}  {CHANNEL_LABELS.get(row['channel'], row['channel'])}  {row['key']}  "
                  + say(f"尝试 {row['attempts']} 次", f"attempts {row['attempts']}"))
            print(f"    {row['last_error'] or say('（未记录原因）', '(no reason recorded)')}")
    return 0


def cmd_retry(args) -> int:
    message = retry_message(args.id, clock.resolve(args.as_of))
    print(say(f"渠道消息 {message.id}：", f"channel message {message.id}: ") + message.status
          + (f"（{message.last_error}）" if message.last_error else ""))
    return 0 if message.status == "sent" else 1


def register(sub: argparse._SubParsersAction) -> None:
    channels = sub.add_parser("channels", help=say("群机器人与短信消息：按状态计数，失败或滞留的消息",
                                                   "channel messages (robots, SMS): counts, failed or stuck"))
    choice = channels.add_mutually_exclusive_group()
    choice.add_argument("--failed", action="store_true", help=say("被拒收、不再重试的消息及原因",
                                                                  "messages refused for good, with the reason"))
    choice.add_argument("--stuck", action="store_true",
                        help=say("暂时失败达 DUDAO_SMTP_MAX_ATTEMPTS 次仍待发送的消息及最后的错误",
                                 "pending after DUDAO_SMTP_MAX_ATTEMPTS transient failures, with the last error"))
    channels.add_argument("--limit", type=bounded(1, 100_000), default=50)
    channels.add_argument("--json", action="store_true")
    channels.set_defaults(func=cmd_channels)
    actions = channels.add_subparsers(dest="action")
    retry = actions.add_parser("retry", help=say("立即重发一条渠道消息（失败或待发送的）",
                                                 "send one channel message again now (failed or pending)"))
    retry.add_argument("id", type=id_arg, metavar="ID")
    retry.add_argument("--as-of", type=iso_date)
    retry.set_defaults(func=cmd_retry)
