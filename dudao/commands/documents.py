"""Document commands: PDFs of filed documents, one sample of each kind, the year-end documents."""

import argparse
import json

from core.db import session_scope
from core.errors import InputError
from core.settings import get_settings
from dudao.cli_support import id_arg, iso_date, require_seeded, year_arg
from flows.year_end_summary import year_end_summary
from tasks.documents import pdf


def cmd_pdf(args) -> int:
    if not (args.ids or args.kind or args.year):
        raise InputError("pdf：请给出 DOCUMENT_ID，或 --kind 和/或 --year")
    out_dir = get_settings().out_dir
    with session_scope() as session:
        if args.samples:
            if args.year is None:
                raise InputError("pdf --samples 须同时给出 --year")
            documents = pdf.sample_documents(session, args.year, out_dir)
        else:
            documents = pdf.select_documents(session, kind=args.kind, year=args.year, ids=args.ids)
        session.expunge_all()
    if not documents:
        raise InputError("pdf：没有符合条件的文书")
    run = (pdf.write_samples if args.samples else pdf.render_batch)(documents, out_dir)
    for path in run.paths:
        print(path)
    print(f"{len(run.paths)} PDF(s) in {run.seconds:.1f} s: {run.per_second:.2f} documents/s on one core")
    return 0


def cmd_year_end(args) -> int:
    require_seeded()
    outcome = year_end_summary(args.year, args.as_of, deliver=not args.no_deliver)
    print(json.dumps(outcome, ensure_ascii=False, default=str))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    pdf = sub.add_parser("pdf", help="已归档文书的 PDF（与其 HTML 同目录），或每类一份样本")
    pdf.add_argument("ids", nargs="*", type=id_arg, metavar="DOCUMENT_ID")
    pdf.add_argument("--kind", help="文书类别，如 report、opinion、urge、annual_report")
    pdf.add_argument("--year", type=year_arg, help="发文年度")
    pdf.add_argument("--samples", action="store_true",
                     help="--year 年度每类文书一份，输出为 var/out/samples/<kind>.html/.pdf")
    pdf.set_defaults(func=cmd_pdf)
    year_end = sub.add_parser("year-end", help="年度督导报告（含图表）、上报报告、表扬名单")
    year_end.add_argument("--year", type=year_arg, required=True)
    year_end.add_argument("--as-of", type=iso_date, help="文书落款日期（默认：今天）")
    year_end.add_argument("--no-deliver", action="store_true", help="归档并排队，不投递")
    year_end.set_defaults(func=cmd_year_end)
