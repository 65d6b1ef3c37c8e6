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
        raise InputError(f"release: no inspection '{ref}' in the ledger")
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
            raise InputError(f"release: {exc}") from None
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
    release = sub.add_parser("release", help="release an inspection's report for publication (operator)")
    release.add_argument("inspection", metavar="INSPECTION_ID", help="inspection id or code, e.g. 2026-ZH-001")
    release.add_argument("--as-of", type=iso_date, help="release date (default: today)")
    release.add_argument("--by", default="operator", help="who releases it, for the audit trail")
    release.set_defaults(func=cmd_release)
    publish = sub.add_parser("publish", help="build the static public site of released, published reports")
    publish.add_argument("--out", type=Path, required=True, help="folder to build (empty, or built before)")
    publish.add_argument("--as-of", type=iso_date, help="publish what is public on this day (default: today)")
    publish.add_argument("--contacts", type=Path, help="listed inspectors' contact (default: data/public_contacts.toml)")
    publish.add_argument("--base-url", default="", help="absolute URL of the site, for the Atom feed's xml:base")
    publish.set_defaults(func=cmd_publish)
