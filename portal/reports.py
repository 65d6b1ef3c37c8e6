"""A unit's rectification report (整改报告) from the portal, and the office's review of it: checked, then
handed to tasks/cycle/responses.submit_rectification / review_submission — the functions `dudao rectification
submit` and `dudao rectification review` call — with the unit or the office account as the actor, so the rules,
the lifecycle and the audit chain are the CLI's own. The caller's transaction commits all of it or, on any
refusal, nothing."""

from datetime import date

from fastapi import UploadFile
from sqlmodel import Session

from core.settings import get_settings
from models import Submission
from models.lifecycles import (
    ITEM,
    SUBMISSION,
    IllegalTransition,
    ItemStage,
    StaleTransition,
    SubmissionDecision,
)
from portal.guard import SignedInUnit, SignedInUser
from portal.office_views import SubmissionView
from portal.unit_views import ItemView
from rules.evidence_files import clean_name, file_problem
from rules.free_text import text_problem
from rules.runtime import load_runtime
from tasks.cycle.evidence import MAX_FILES, EvidenceFile, attach_evidence
from tasks.cycle.responses import review_submission, submit_rectification


class ReportRefused(Exception):
    """The report cannot be taken; the message says why, in Chinese."""


def max_evidence_bytes() -> int:
    return get_settings().portal_evidence_max_mb * 1024 * 1024


def read_uploads(uploads: list[UploadFile]) -> list[EvidenceFile]:
    """The files of a report form, each checked by its content; ReportRefused names the first one refused.
    A file input left empty arrives as a part with no name and no bytes: skipped."""
    limit = max_evidence_bytes()
    files = []
    for upload in uploads:
        data = upload.file.read(limit + 1)  # one byte over the limit is enough to refuse it
        if not upload.filename and not data:
            continue
        name = clean_name(upload.filename or "")
        problem = file_problem(name, data[:16], len(data), limit)
        if problem:
            raise ReportRefused(problem)
        files.append(EvidenceFile(name, data))
    if len(files) > MAX_FILES:
        raise ReportRefused(f"附件最多 {MAX_FILES} 个（现有 {len(files)} 个）。")
    return files


def submit_report(session: Session, unit: SignedInUnit, view: ItemView, text: str, today: date,
                  files: list[EvidenceFile] = ()) -> Submission:
    text = text.replace("\r\n", "\n").strip()
    problem = text_problem(text, "整改报告")
    if problem:
        raise ReportRefused(problem)
    item = view.item
    if item.stage != ItemStage.OPEN:
        raise ReportRefused(f"该整改事项当前为“{ITEM.labels[ItemStage(item.stage)]}”，不能再报送整改报告。")
    try:
        submission = submit_rectification(session, item, text, today, actor=unit.code)
        session.flush()
        attach_evidence(session, item, submission, list(files), today, actor=unit.code)
        session.flush()
    except (IllegalTransition, StaleTransition):
        # another report or the sweep moved the item between the page and the post
        raise ReportRefused("该整改事项的状态刚刚发生变化，未能报送，请刷新页面后查看。") from None
    return submission


def review_report(session: Session, user: SignedInUser, view: SubmissionView, decision: str, reason: str,
                  today: date) -> None:
    """Accept (回头看 scheduled) or reject (back to open) a report waiting for review."""
    if decision not in ("accept", "reject"):
        raise ReportRefused("请选择“审核通过”或“退回重报”。")
    reason = reason.replace("\r\n", "\n").strip()
    problem = text_problem(reason, "审核意见")
    if problem:
        raise ReportRefused(problem)
    submission = view.submission
    if submission.decision != SubmissionDecision.PENDING:
        label = SUBMISSION.labels[SubmissionDecision(submission.decision)]
        raise ReportRefused(f"该整改报告已审核（{label}），不能再次审核。")
    try:
        review_submission(session, submission, decision == "accept", reason, today, load_runtime(),
                          actor=user.actor, item=view.item)
        session.flush()
    except (IllegalTransition, StaleTransition):
        raise ReportRefused("该整改报告的状态刚刚发生变化，未能审核，请刷新页面后查看。") from None
