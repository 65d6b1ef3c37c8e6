"""A unit's rectification report (整改报告) from the portal: checked, then handed to
tasks/cycle/responses.submit_rectification — the function `dudao rectification submit` calls — with the unit
as the actor, so the rules, the lifecycle and the audit chain are the CLI's own. The caller's transaction
commits all of it or, on any refusal, nothing."""

from datetime import date

from sqlmodel import Session

from models import Submission
from models.lifecycles import ITEM, IllegalTransition, ItemStage, StaleTransition
from portal.guard import SignedInUnit
from portal.unit_views import ItemView
from rules.free_text import text_problem
from tasks.cycle.responses import submit_rectification


class ReportRefused(Exception):
    """The report cannot be taken; the message says why, in Chinese."""


def submit_report(session: Session, unit: SignedInUnit, view: ItemView, text: str, today: date) -> Submission:
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
    except (IllegalTransition, StaleTransition):
        # another report or the sweep moved the item between the page and the post
        raise ReportRefused("该整改事项的状态刚刚发生变化，未能报送，请刷新页面后查看。") from None
    return submission
