"""The office's publication sign-off (签发) of an issued 督导报告 from the portal: checked, then handed to
tasks/cycle/responses.release_report — the function the Prefect UI's sign-off form and `dudao approve` reach —
with the signed-in office account as actor and its 姓名 as 签发人 in the audit event. The caller's transaction
commits all of it or, on a refusal, nothing."""

from datetime import date

from sqlalchemy import update
from sqlmodel import Session

from models import Inspection
from portal.guard import SignedInUser
from tasks.cycle.responses import release_report


class SignOffRefused(Exception):
    """The report cannot be signed off; the message says why, in Chinese."""


def sign_off(session: Session, user: SignedInUser, inspection_id: int, today: date) -> Inspection:
    """Release one issued, unreleased report as `user`. Refused: unknown, not issued, or released already."""
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise SignOffRefused("没有找到该督导报告，未作任何处理。")
    if inspection.released_on is not None:
        raise SignOffRefused(f"督导报告 {inspection.code} 已于 {inspection.released_on.isoformat()} 签发，"
                             "不能再次签发。")
    if inspection.issued_on is None:
        raise SignOffRefused(f"督导报告 {inspection.code} 尚未下达，不能签发。")
    # Claimed by one conditional update: of two sign-offs posted at once, only one finds it unreleased.
    claimed = session.connection().execute(
        update(Inspection).where(Inspection.id == inspection.id, Inspection.released_on.is_(None))
        .values(released_on=today))
    if claimed.rowcount != 1:
        raise SignOffRefused(f"督导报告 {inspection.code} 刚刚已由他人签发，未作任何处理。")
    release_report(session, inspection, today, actor=user.actor, signer=user.name)
    session.flush()
    return inspection
