"""Publication sign-off (签发): an operator releases an issued report for publication, in the Prefect UI
(flows/publication_signoff.py) or with `dudao approve`. Both go through tasks.cycle.responses.release_report."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from core.errors import InputError
from models import KIND_LABELS, Inspection, Unit
from tasks.cycle.responses import release_report

SIGNOFF_DEPLOYMENT = "publication-signoff/publication-signoff"


@dataclass(frozen=True)
class Outcome:
    code: str
    unit: str
    released_on: date
    newly: bool  # False: it had been released before


def find_inspection(session: Session, ref: str) -> Inspection:
    """An inspection by code (2026-ZH-001) or numeric id; InputError naming the reference otherwise."""
    ref = ref.strip()
    inspection = session.exec(select(Inspection).where(Inspection.code == ref)).first()
    if inspection is None and ref.isdigit():
        inspection = session.get(Inspection, int(ref))
    if inspection is None:
        raise InputError(f"督导“{ref}”：台账中没有此督导编号或 id")
    return inspection


def run_label(session: Session, inspection: Inspection) -> tuple[str, list[str]]:
    """The Chinese run name and the tags (year, kind, unit) of a run about one inspection."""
    unit = session.get(Unit, inspection.unit_id)
    kind = KIND_LABELS.get(inspection.kind, inspection.kind)
    year = f"{inspection.year}" if kind.startswith("年度") else f"{inspection.year}年"
    return f"{year}{kind}报告签发 · {unit.name}", [str(inspection.year), inspection.kind, unit.code]


def approve(session: Session, ref: str, as_of: date, actor: str) -> Outcome:
    """Release the report (once: approving again reports the first release)."""
    inspection = find_inspection(session, ref)
    unit = session.get(Unit, inspection.unit_id)
    if inspection.released_on is not None:
        return Outcome(inspection.code, unit.name, inspection.released_on, newly=False)
    if inspection.issued_on is None:
        raise InputError(f"督导 {inspection.code}：尚未下达报告（当前阶段 {inspection.stage}）")
    release_report(session, inspection, as_of, actor=actor)
    return Outcome(inspection.code, unit.name, as_of, newly=True)


def request_signoffs(codes: list[str], timeout_seconds: int | None) -> list[str]:
    """Start one sign-off run per issued report (idempotent per inspection). Returns the run names asked."""
    from prefect.deployments import run_deployment

    started = []
    for code in codes:
        run = run_deployment(SIGNOFF_DEPLOYMENT, timeout=0, idempotency_key=f"signoff-{code}",
                             parameters={"inspection": code, "timeout_seconds": timeout_seconds})
        started.append(run.name)
    return started
