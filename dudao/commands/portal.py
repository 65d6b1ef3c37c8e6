"""Portal commands: serve the web portal, print a unit's sign-in link, revoke a unit's links, add and
disable the accounts of the office, inspectors and leadership."""

import argparse
import getpass
import os
import sys

from core.db import session_scope
from core.errors import InputError
from core.lang import say
from core.settings import get_settings
from dudao.cli_support import bounded
from portal.accounts import ROLES, AccountError, add_user, disable_user
from portal.links import MAX_DAYS, issue_link, revoke, unit_by_code


def _unit(session, code: str):
    unit = unit_by_code(session, code)
    if unit is None:
        raise InputError(say(f"没有代码为“{code}”的单位", f"no unit with code '{code}'"))
    return unit


def cmd_serve(args) -> int:
    from portal.serving import serve, size_pools

    pool = size_pools(args.workers)
    pools = "" if pool is None else say(f"，每个进程至多 {pool} 个数据库连接", f", at most {pool} database connections each")
    print(say(f"督导门户：http://{args.host}:{args.port}/ （{args.workers} 个工作进程{pools}；Ctrl+C 停止）",
              f"portal: http://{args.host}:{args.port}/ ({args.workers} workers{pools}; Ctrl+C stops it)"), flush=True)
    serve(args.host, args.port, args.workers)
    return 0


def cmd_link(args) -> int:
    days = args.days or get_settings().portal_link_days
    with session_scope() as session:
        unit = _unit(session, args.unit)
        url = issue_link(session, unit, days, actor="operator")
    print(say(f"{unit.name} 的登录链接（{days} 天内有效）：", f"sign-in link of {unit.name} ({days} days):"))
    print(url)  # the URL alone on the last line, for scripts
    return 0


def cmd_revoke(args) -> int:
    with session_scope() as session:
        unit = _unit(session, args.unit)
        epoch = revoke(session, unit, actor="operator")
    print(say(f"{unit.name} 此前的登录链接和会话已全部失效（第 {epoch} 次收回）",
              f"every earlier link and session of {unit.name} is revoked (revocation {epoch})"))
    return 0


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise InputError(say("两次输入的密码不一致", "the two passwords differ"))
    return first


def cmd_user_add(args) -> int:
    password = _password(args)
    with session_scope() as session:
        try:
            user = add_user(session, args.username, args.name, password, args.role, actor="operator",
                            inspector=args.inspector)
        except AccountError as refused:
            raise InputError(str(refused)) from None
    print(say(f"已添加督导门户用户 {user.username}（{user.name}）", f"portal user {user.username} ({user.name}) added"))
    return 0


def cmd_user_disable(args) -> int:
    with session_scope() as session:
        try:
            user = disable_user(session, args.username, actor="operator")
        except AccountError as refused:
            raise InputError(str(refused)) from None
    print(say(f"已停用督导门户用户 {user.username}，其会话随即失效", f"portal user {user.username} disabled"))
    return 0


def _register_user(verbs: argparse._SubParsersAction) -> None:
    user = verbs.add_parser("user", help="督导室工作人员、督学和领导的门户账号").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="添加账号（密码以 Argon2 哈希保存）")
    add.add_argument("username", help="用户名：3–32 位小写字母、数字或 . _ -")
    add.add_argument("--name", required=True, help="姓名")
    add.add_argument("--role", default="office", choices=sorted(ROLES),
                     help="角色：office 督导室（默认）、inspector 督学（须 --inspector）、leader 领导（只读）")
    add.add_argument("--inspector", metavar="CODE_OR_ID", default=None, help="督学账号关联的名册督学：代码或编号")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行），不提示")
    add.set_defaults(func=cmd_user_add)
    disable = user.add_parser("disable", help="停用账号，其会话随即失效")
    disable.add_argument("username", help="用户名")
    disable.set_defaults(func=cmd_user_disable)


def register(sub: argparse._SubParsersAction) -> None:
    portal = sub.add_parser("portal", help="督导门户：单位通过链接登录，查看并报送本单位的整改")
    verbs = portal.add_subparsers(dest="portal_command", required=True)
    serve = verbs.add_parser("serve", help="启动督导门户网站")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=bounded(1, 65535), default=8000, help="端口（默认 8000）")
    serve.add_argument("--workers", type=bounded(1, 64), default=os.cpu_count() or 1,
                       help="工作进程数（默认为本机处理器核数）；PostgreSQL 的连接按进程数分配")
    serve.set_defaults(func=cmd_serve)
    link = verbs.add_parser("link", help="生成单位的登录链接（签名、限期、可收回；链接在最后一行）")
    link.add_argument("unit", metavar="UNIT_CODE", help="单位代码")
    link.add_argument("--days", type=bounded(1, MAX_DAYS), default=None, help="有效天数（默认按设置，30 天）")
    link.set_defaults(func=cmd_link)
    revoke_cmd = verbs.add_parser("revoke", help="收回单位此前的全部登录链接，并结束其会话")
    revoke_cmd.add_argument("unit", metavar="UNIT_CODE", help="单位代码")
    revoke_cmd.set_defaults(func=cmd_revoke)
    _register_user(verbs)
