"""An upheld 复核 that amends a finding rather than withdrawing it: the finding's wording, its 整改要求 and/or its
整改期限 change. The item's deadline moves with the 督导意见书's (both `deadline` and `current_deadline`), and an
open item's ladder starts again from the new deadline (reminders before it, 督办 after it), as a relapse restarts
it: the steps taken against the old deadline no longer hold. Called by `tasks/cycle/review.decide_review`."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from core.errors import InputError
from models import Finding, RectificationItem, ReviewRequest
from models.lifecycles import LADDER, ItemStage, record


@dataclass(frozen=True)
class Amendment:
    seq: int  # the finding's number in the 督导意见书
    text: str | None = None  # the finding as amended (None: unchanged)
    requirement: str | None = None  # the 整改要求 as amended
    deadline: date | None = None  # the 整改期限 as amended

    def changes(self) -> dict:
        return {key: value for key, value in (("text", self.text), ("requirement", self.requirement),
                                              ("deadline", self.deadline)) if value not in (None, "")}


def amendable(session: Session, request: ReviewRequest, amendments: tuple[Amendment, ...], withdraw: tuple[int, ...],
              as_of: date) -> list[tuple[Amendment, Finding, RectificationItem]]:
    """The findings an upheld 复核 amends, with their items; InputError (in Chinese) naming what cannot be."""
    where = f"复核申请 {request.id}"
    rows = dict(session.exec(select(Finding.seq, Finding).where(Finding.inspection_id == request.inspection_id)).all())
    found, seen = [], set()
    for amendment in amendments:
        seq = amendment.seq
        if seq in seen or seq in withdraw:
            raise InputError(f"{where}：第{seq}项问题重复（同一问题只能撤回或变更一次）")
        seen.add(seq)
        finding = rows.get(seq)
        item = finding and session.exec(select(RectificationItem).where(RectificationItem.finding_id == finding.id)).first()
        if item is None or item.stage == ItemStage.CLOSED:
            raise InputError(f"{where}：督导意见书没有可变更的第{seq}项问题（不存在、已撤回或已销号）")
        if not amendment.changes():
            raise InputError(f"{where}：变更第{seq}项问题须写明变更后的问题、整改要求或整改期限")
        if amendment.deadline is not None and amendment.deadline <= as_of:
            raise InputError(f"{where}：第{seq}项问题变更后的整改期限 {amendment.deadline} 须晚于决定日 {as_of}")
        found.append((amendment, finding, item))
    return found


def amend(session: Session, found: list[tuple[Amendment, Finding, RectificationItem]], request: ReviewRequest,
          as_of: date, actor: str) -> list[dict]:
    """Write the amendments and audit each; returns what the 复核决定书 lists (seq, text, requirement, deadline)."""
    listed = []
    for amendment, finding, item in found:
        before = {"text": finding.text, "requirement": item.decision, "deadline": item.current_deadline}
        if amendment.text:
            finding.text = amendment.text.strip()
        if amendment.requirement:
            finding.requirement = item.decision = amendment.requirement.strip()
        if amendment.deadline:
            finding.deadline = item.deadline = item.current_deadline = amendment.deadline
            if item.stage == ItemStage.OPEN:  # the ladder is planned afresh from the new deadline
                item.ladder_step, item.ladder_since = LADDER.after(item, "restart"), None
                item.next_action_on = item.step_due_on = None
        session.add(finding)
        session.add(item)
        record(session, "item", item.id, "amend", as_of=as_of, actor=actor,
               detail={"review_request": request.id, "seq": finding.seq, "before": before, **amendment.changes()})
        listed.append({"seq": finding.seq, "text": finding.text, "requirement": item.decision,
                       "deadline": item.current_deadline})
    return listed
