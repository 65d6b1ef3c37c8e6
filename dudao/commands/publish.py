"""Publication commands: an operator releases a report; `publish` builds the static public site."""

import argparse
from pathlib import Path

from sqlmodel import select

from core import clock
from core.db import session_scope
from core.errors import InputError
from dudao.cli_support import iso_date
from models import Inspection
from tasks.cycle.responses import release_report
from tasks.publication.site import build_site, check_target
from tasks.roster.public_contacts import DEFAULT_PATH, listed_contacts, read_contacts


def find_inspection(session, ref: str):
    """An inspection by its id (digits) or its code (e.g. 2026-ZH-001)."""
    inspection = (session.get(Inspection, int(ref)) if ref.isdigit()
                  else session.exec(select(Inspection).where(Inspection.code == ref)).first())
    if inspection is None:
        raise InputError(f"release：台账中没有督导“{ref}”")
    return inspection


def cmd_release(args) -> int:
    as_of = clock.resolve(args.as_of)
    with session_scope() as session:
        inspection = find_inspection(session, args.inspection)
        if inspection.released_on is not None:
            print(f"{inspection.code}: already released on {inspection.released_on.isoformat()}")
            return 0
        try:
            release_report(session, inspection, as_of, actor=args.by)
        except ValueError as exc:
            raise InputError(f"release：{exc}") from None
        print(f"{inspection.code}: released on {as_of.isoformat()}; the next daily sweep publishes it")
    return 0


def cmd_publish(args) -> int:
    as_of = clock.resolve(args.as_of)
    check_target(args.out)
    path = args.contacts or DEFAULT_PATH
    entries = read_contacts(path)
    with session_scope() as session:
        result = build_site(session, args.out, as_of, listed_contacts(session, entries, path), args.base_url)
    print(f"{result.out}: {result.reports} published report(s), {result.pages} page(s) as of {as_of.isoformat()}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    release = sub.add_parser("release", help="批准公开一次督导的报告（操作员）")
    release.add_argument("inspection", metavar="INSPECTION_ID", help="督导 id 或编号，如 2026-ZH-001")
    release.add_argument("--as-of", type=iso_date, help="批准日期（默认：今天）")
    release.add_argument("--by", default="operator", help="批准人，记入审计日志")
    release.set_defaults(func=cmd_release)
    publish = sub.add_parser("publish", help="生成已批准公开的报告的静态公开网站")
    publish.add_argument("--out", type=Path, required=True, help="生成到的文件夹（空的，或此前生成过的）")
    publish.add_argument("--as-of", type=iso_date, help="公开在这一天应公开的内容（默认：今天）")
    publish.add_argument("--contacts", type=Path, help="挂牌督学联系方式（默认：data/public_contacts.toml）")
    publish.add_argument("--base-url", default="", help="网站的绝对地址，用作 Atom 订阅的 xml:base")
    publish.set_defaults(func=cmd_publish)
