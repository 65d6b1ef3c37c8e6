"""The outbox: `dudao notices [--failed|--stuck]`, `dudao notices deliver`, `dudao notices retry ID`."""

import argparse
import json

from core import clock
from core.db import session_scope
from core.settings import get_settings
from dudao.cli_support import bounded, id_arg, iso_date
from flows.deliver_outbox import deliver_outbox
from tasks.mail.delivery import retry_notice
from tasks.mail.smtp_config import smtp_config
from tasks.operator.outbox_report import failed_notices, notice_row, status_counts, stuck_notices


def cmd_notices(args) -> int:
    with session_scope() as session:
        if args.failed or args.stuck:
            pick = failed_notices if args.failed else lambda s, n: stuck_notices(s, get_settings().smtp_max_attempts, n)
            total, notices = pick(session, args.limit)
            rows = [notice_row(n) for n in notices]
        else:
            total, rows = None, [status_counts(session)]
    if args.json:
        print(json.dumps(rows if total is not None else rows[0], ensure_ascii=False))
    elif total is None:
        print("  ".join(f"{status} {count}" for status, count in rows[0].items()) or "the outbox is empty")
    else:
        _print_rows("failed" if args.failed else "stuck", total, rows)
    return 0


def _print_rows(what: str, total: int, rows: list[dict]) -> None:
    print(f"{total} {what} notice(s)" + (f", newest {len(rows)} shown" if total > len(rows) else ""))
    for row in rows:
        print(f"#{row['id']}  {row['key']}  attempts {row['attempts']}  {row['subject']}")
        print(f"    {row['last_error'] or '(no reason recorded)'}")


def cmd_deliver(args) -> int:
    smtp_config(get_settings())  # settings mistakes: one clear line before Prefect starts

    print(json.dumps(deliver_outbox(args.as_of), ensure_ascii=False))
    return 0


def cmd_retry(args) -> int:
    notice = retry_notice(args.id, clock.resolve(args.as_of))
    print(f"notice {notice.id}: {notice.status}" + (f" ({notice.last_error})" if notice.last_error else ""))
    return 0 if notice.status == "sent" else 1


def register(sub: argparse._SubParsersAction) -> None:
    notices = sub.add_parser("notices", help="发件箱：按状态计数、失败或滞留的通知；投递；重发")
    notices.add_argument("--failed", action="store_true", help="被永久拒收（5xx）的通知及原因")
    notices.add_argument("--stuck", action="store_true",
                         help="经 DUDAO_SMTP_MAX_ATTEMPTS 次暂时失败后仍待发的通知及最后一次错误")
    notices.add_argument("--limit", type=bounded(1, 100_000), default=50)
    notices.add_argument("--json", action="store_true")
    notices.set_defaults(func=cmd_notices)
    actions = notices.add_subparsers(dest="action")
    deliver = actions.add_parser("deliver", help="投递到期的通知（已配置 SMTP 时经 SMTP，否则写入 var/outbox/）")
    deliver.add_argument("--as-of", type=iso_date, help="暂缓的通知自其日期起发出（默认：今天）")
    deliver.set_defaults(func=cmd_deliver)
    retry = actions.add_parser("retry", help="立即重发一条通知（失败或待发）")
    retry.add_argument("id", type=id_arg, metavar="ID")
    retry.add_argument("--as-of", type=iso_date)
    retry.set_defaults(func=cmd_retry)
