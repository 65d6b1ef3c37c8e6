"""Evidence files (佐证材料) with a rectification report: each checked (rules/evidence_files.py), kept once
per content under var/evidence/<first two hex>/<sha256> (a name people chose is never a path), and recorded
with its item, its report and who handed it in; the hashes go into the audit chain, so a file swapped later
no longer matches the record. A file written for a transaction that then rolls back is an orphan the same
content takes again; it is never served, since only a row makes a file reachable."""

from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from pathlib import Path

from sqlmodel import Session, select

from core.atomic import atomic_file
from core.settings import get_settings
from models import Evidence, RectificationItem, Submission
from models.lifecycles import record
from rules.evidence_files import media_type_of

MAX_FILES = 5


@dataclass(frozen=True)
class EvidenceFile:
    name: str  # cleaned (rules/evidence_files.clean_name) and checked (file_problem)
    data: bytes


def evidence_path(digest: str) -> Path:
    return get_settings().var_dir / "evidence" / digest[:2] / digest


def _keep(data: bytes) -> str:
    digest = sha256(data).hexdigest()
    path = evidence_path(digest)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as temp:
            temp.write_bytes(data)
    return digest


def attach_evidence(session: Session, item: RectificationItem, submission: Submission, files: list[EvidenceFile],
                    as_of: date, actor: str) -> list[Evidence]:
    rows = []
    for file in files:
        digest = _keep(file.data)
        rows.append(Evidence(item_id=item.id, submission_id=submission.id, sha256=digest, size=len(file.data),
                             media_type=media_type_of(file.data[:16]) or "application/octet-stream",
                             name=file.name, uploaded_on=as_of, uploaded_by=actor))
    session.add_all(rows)
    if rows:
        record(session, "item", item.id, "evidence", as_of=as_of, actor=actor,
               detail={"submission": submission.id, "sha256": [row.sha256 for row in rows]})
    return rows


def evidence_of_submissions(session: Session, submission_ids: list[int]) -> dict[int, list[Evidence]]:
    by_submission: dict[int, list[Evidence]] = {sid: [] for sid in submission_ids}
    for row in session.exec(select(Evidence).where(Evidence.submission_id.in_(submission_ids))
                            .order_by(Evidence.id)).all():
        by_submission[row.submission_id].append(row)
    return by_submission


def evidence_file(evidence: Evidence) -> Path | None:
    """The stored file, if it is there and still has the content the ledger recorded."""
    path = evidence_path(evidence.sha256)
    if not path.is_file() or sha256(path.read_bytes()).hexdigest() != evidence.sha256:
        return None
    return path
