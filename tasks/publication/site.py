"""The public site: a folder of static pages any web server can serve (relative links only).

index.html (years, kinds, units, latest reports) · years/<year>.html · kinds/<kind>.html · units/<code>.html ·
reports/<code>.html (one per published report, its PDF beside it: tasks/publication/report_pdfs.py) · inspectors.html (listed inspectors' contact) · feed.xml (Atom).
The site is built beside the target and swapped in whole, so a reader never sees half a site, and a report no
longer publishable disappears with the next build. Only a folder that is empty or was built by us is replaced.
"""

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session

from core.atomic import atomic_folder, real_target
from core.errors import InputError
from core.lang import say
from core.paths import REPO_ROOT
from core.settings import get_settings
from models import KIND_LABELS
from tasks.documents.issuing import safe_name
from tasks.documents.letterhead import Letterhead, letterhead
from tasks.documents.rendering import environment
from tasks.publication.records import PublicReport, public_reports
from tasks.publication.report_pdfs import report_documents, write_report_pdfs
from tasks.roster.public_contacts import PublicContact

SITE_MARK = ".dudao-site"
FEED_ENTRIES = 50
UNIT_KIND_LABELS = {"department": "区级部门", "town": "镇街", "school": "学校"}


@dataclass(frozen=True)
class SiteResult:
    out: Path
    reports: int
    pages: int


def check_target(out: Path) -> None:
    """Refuse to replace a folder that is neither empty nor a site we built (a symbolic link: where it points)."""
    out = real_target(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / SITE_MARK).exists())):
        raise InputError(say(f"--out {out}：已存在，且不是 `dudao publish` 生成的网站；请选择空文件夹",
                             f"--out {out}: exists and is not a site built by `dudao publish`; choose an empty folder"))


def group(reports: Iterable[PublicReport], key: Callable[[PublicReport], str]) -> dict[str, list[PublicReport]]:
    grouped: dict[str, list[PublicReport]] = {}
    for report in reports:
        grouped.setdefault(key(report), []).append(report)
    return grouped


class _Writer:
    """Renders templates/site/* into one folder; `root` is the relative way back to the site's top."""

    def __init__(self, folder: Path, as_of: date, base_url: str, district: Letterhead):
        self.folder, self.pages = folder, 0
        self.common = {"as_of": as_of, "base_url": base_url, "kind_labels": KIND_LABELS,
                       "unit_kind_labels": UNIT_KIND_LABELS, "domain": get_settings().mail_domain,
                       "district": district, "authority": district.authority}

    def page(self, template: str, relative: str, **context) -> None:
        root = "../" * relative.count("/")
        html = environment().get_template(f"site/{template}").render(**self.common, root=root, **context)
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.pages += 1


def _write_listings(writer: _Writer, reports: list[PublicReport]) -> None:
    for year, of_year in group(reports, lambda r: str(r.year)).items():
        writer.page("listing.html", f"years/{year}.html", heading=f"{year}年督导报告",
                    groups=group(of_year, lambda r: r.kind_label))
    for kind, of_kind in group(reports, lambda r: r.kind).items():
        writer.page("listing.html", f"kinds/{safe_name(kind)}.html", heading=KIND_LABELS.get(kind, kind),
                    groups=group(of_kind, lambda r: f"{r.year}年"))
    for code, of_unit in group(reports, lambda r: r.unit_code).items():
        writer.page("listing.html", f"units/{safe_name(code)}.html", heading=of_unit[0].unit_name,
                    groups=group(of_unit, lambda r: f"{r.year}年"))


def write_site(folder: Path, reports: list[PublicReport], contacts: list[PublicContact], as_of: date,
               district: Letterhead, base_url: str = "", pdfs: frozenset[str] = frozenset()) -> int:
    """Every page of the site into `folder`, as `district` names itself; returns the number of pages. A report
    whose code is in `pdfs` links its PDF (reports/<code>.pdf, written beside by write_report_pdfs)."""
    writer = _Writer(folder, as_of, base_url, district)
    units = {r.unit_code: r for r in reports}
    order = list(UNIT_KIND_LABELS)
    by_kind = sorted(units.values(), key=lambda r: (order.index(r.unit_kind) if r.unit_kind in order else len(order),
                                                    r.unit_code))
    writer.page("index.html", "index.html", latest=reports[:20], total=len(reports),
                years=group(reports, lambda r: str(r.year)), kinds=group(reports, lambda r: r.kind),
                units=group(by_kind, lambda r: r.unit_kind))
    _write_listings(writer, reports)
    for report in reports:
        writer.page("report.html", f"reports/{safe_name(report.code)}.html", report=report,
                    pdf=f"{safe_name(report.code)}.pdf" if report.code in pdfs else None)
    writer.page("inspectors.html", "inspectors.html", contacts=contacts)
    writer.page("feed.xml", "feed.xml", entries=reports[:FEED_ENTRIES],
                updated=max((r.published_on for r in reports), default=as_of))
    shutil.copyfile(REPO_ROOT / "templates" / "site" / "style.css", folder / "style.css")
    (folder / SITE_MARK).write_text(f"built by dudao publish as of {as_of.isoformat()}\n", encoding="utf-8")
    return writer.pages


def build_site(session: Session, out: Path, as_of: date, contacts: list[PublicContact],
               base_url: str = "") -> SiteResult:
    """Build the public site as of `as_of` beside `out` (beside what it links to, if a symbolic link), then
    swap it in whole; a failure half-way (a full disk) leaves the old site and nothing else."""
    check_target(out)
    reports = public_reports(session, as_of, [c.phone for c in contacts])
    with atomic_folder(out) as staging:
        documents = report_documents(session, reports)
        pages = write_site(staging, reports, contacts, as_of, letterhead(session), base_url, frozenset(documents))
        write_report_pdfs(staging, documents, [c.phone for c in contacts])
    return SiteResult(out, len(reports), pages)
