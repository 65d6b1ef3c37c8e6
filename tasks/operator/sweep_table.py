"""The daily sweep's table as an operator reads it in the Prefect UI (a markdown artifact, key `daily-sweep`):
each step in Chinese with what it moved — inspections by code and unit, rectification items and findings by
unit and text — and links to the documents issued for them that day; the notices delivered by name; the
notices that failed or are stuck. At most DETAIL_ROWS names a row; the rest are counted."""

from datetime import date, datetime

from sqlmodel import Session, func, select

from core.settings import get_settings
from models import (
    Document,
    Finding,
    Inspection,
    Notice,
    RectificationItem,
    ReviewRequest,
    SelfEvaluationProblem,
    Unit,
)
from tasks.channels.report import CHANNEL_LABELS, failed_messages, stuck_messages
from tasks.operator.links import document_link
from tasks.operator.outbox_report import stuck_notices

FAILED_ROWS = 20
DETAIL_ROWS = 10
STEP_LABELS = {
    "term-end": "校长任期届满督导（新开）", "notify": "下发督导通知书", "feed-back": "出具初步督导意见反馈书",
    "issue": "下发督导报告与督导意见书", "publish": "督导报告公开", "ladder": "整改督办（提醒、督办、约谈、通报、问责）",
    "escalate": "议题逐级上报", "review-due": "复核到期提醒", "recheck-or-close": "回头看或办结",
    "inspector-terms": "督学聘期届满提醒", "training": "督学培训学时不足提示", "routine-visits": "挂牌督导次数不足提示",
    "refer-illegal": "违法行为移送执法部门", "publication-due": "督导报告公开逾期提醒",
    "report-review-due": "整改报告审核到期提醒", "provisional-calendar": "临时工作日日历提示",
    "signoff-waiting": "督导报告签发等待过久告警",
    "self-evaluation": "自查自评报告报送市督导机构", "self-evaluation-problems": "自查自评问题整改提醒与督办",
}
DELIVERY_LABELS = {"sent": "已发出", "transient": "暂时失败（将自动重试）", "permanent": "被拒收（不再重试）",
                   "stuck": "滞留（多次失败，待处理）",
                   "channel_sent": "群机器人/短信已发出", "channel_transient": "群机器人/短信暂时失败（将自动重试）",
                   "channel_permanent": "群机器人/短信被拒收（不再重试）",
                   "channel_stuck": "群机器人/短信滞留（多次失败，待处理）"}
INSPECTION_STEPS = {"term-end", "notify", "feed-back", "issue", "publish", "publication-due",
                    "recheck-or-close", "signoff-waiting"}  # return inspection ids


def _cell(text: object) -> str:
    return str(text).replace("|", "｜").replace("\n", " ")


def _short(text: str, length: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length] + "…"


def _links(session: Session, as_of: date, **where) -> str:
    (column, ids), = where.items()
    documents = session.exec(select(Document).where(getattr(Document, column).in_(ids),
                                                    Document.issued_on == as_of).order_by(Document.id)).all()
    return "".join(f" [{_cell(d.title)}]({document_link(d)})" for d in documents)


def _inspections(session: Session, ids: list[int], as_of: date) -> list[str]:
    rows = session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id)
                        .where(Inspection.id.in_(ids)).order_by(Inspection.id)).all()
    return [f"{i.code} {_cell(u.name)}" + _links(session, as_of, inspection_id=[i.id]) for i, u in rows]


def _items(session: Session, ids: list[int], as_of: date) -> list[str]:
    rows = session.exec(select(RectificationItem, Finding, Unit).join(Finding, RectificationItem.finding_id == Finding.id)
                        .join(Unit, RectificationItem.unit_id == Unit.id).where(RectificationItem.id.in_(ids))
                        .order_by(RectificationItem.id)).all()
    return [f"{_cell(u.name)}：{_cell(_short(f.text))}（第{i.id}项）" + _links(session, as_of, item_id=[i.id])
            for i, f, u in rows]


def _findings(session: Session, ids: list[int], as_of: date) -> list[str]:
    rows = session.exec(select(Finding, Inspection, Unit).join(Inspection, Finding.inspection_id == Inspection.id)
                        .join(Unit, Inspection.unit_id == Unit.id).where(Finding.id.in_(ids)).order_by(Finding.id)).all()
    return [f"{i.code} {_cell(u.name)}：{_cell(_short(f.text))}（第{f.level}级）" for f, i, u in rows]


def _reviews(session: Session, ids: list[int], as_of: date) -> list[str]:
    rows = session.exec(select(ReviewRequest, Inspection, Unit).join(Inspection, ReviewRequest.inspection_id == Inspection.id)
                        .join(Unit, ReviewRequest.unit_id == Unit.id).where(ReviewRequest.id.in_(ids))).all()
    return [f"{i.code} {_cell(u.name)}：应于 {r.decide_by} 前作出复核决定" for r, i, u in rows]


def _self_evaluation_problems(session: Session, ids: list[int], as_of: date) -> list[str]:
    rows = session.exec(select(SelfEvaluationProblem, Unit).join(Unit, SelfEvaluationProblem.unit_id == Unit.id)
                        .where(SelfEvaluationProblem.id.in_(ids)).order_by(SelfEvaluationProblem.id)).all()
    return [f"{_cell(u.name)}：{_cell(_short(p.text))}（{p.year}年第{p.seq}项，期限 {p.deadline}）" for p, u in rows]


def _self_evaluation_report(session: Session, ids: list[int], as_of: date) -> list[str]:
    return ["自查自评报告已报送市督导机构" + _links(session, as_of, key=[f"self-evaluation:{as_of.year}"])]


NAMERS = {"ladder": _items, "self-evaluation-problems": _self_evaluation_problems,
          "self-evaluation": _self_evaluation_report, "escalate": _findings, "refer-illegal": _findings, "review-due": _reviews,
          **{step: _inspections for step in INSPECTION_STEPS}}


def moved_detail(session: Session, step: str, ids: list[int], as_of: date) -> str:
    """What a step moved, by name, with links to the documents issued for it that day."""
    if not ids:
        return ""
    namer = NAMERS.get(step)
    if namer is None:  # reminders to the office: the notice says whom
        return "已通知督导室（见通知）"
    names = namer(session, ids[:DETAIL_ROWS], as_of)
    more = f"；另 {len(ids) - DETAIL_ROWS} 项" if len(ids) > DETAIL_ROWS else ""
    return "；".join(names) + more


def _sent_since(session: Session, since: datetime | None) -> str:
    if since is None:
        return ""
    subjects = session.exec(select(Notice.subject).where(Notice.status == "sent", Notice.sent_at >= since)
                            .order_by(Notice.id).limit(DETAIL_ROWS)).all()
    return "；".join(_cell(_short(s, 40)) for s in subjects)


def sweep_rows(session: Session, moved: dict[str, list[int]], delivered: dict[str, int], as_of: date | None = None,
               since: datetime | None = None) -> list[dict]:
    as_of = as_of or date.today()
    rows = [{"类别": "推进", "项目": STEP_LABELS.get(step, step), "数量": len(ids),
             "明细": moved_detail(session, step, ids, as_of)} for step, ids in moved.items() if ids]
    rows += [{"类别": "投递", "项目": DELIVERY_LABELS.get(outcome, outcome), "数量": count,
              "明细": _sent_since(session, since) if outcome == "sent" else ""}
             for outcome, count in delivered.items() if count]
    failed_total = session.exec(select(func.count()).where(Notice.status == "failed")).one()
    failed = session.exec(select(Notice).where(Notice.status == "failed").order_by(Notice.id.desc())
                          .limit(FAILED_ROWS)).all()
    rows += [{"类别": "失败通知", "项目": notice.key, "数量": notice.attempts,
              "明细": f"{_cell(notice.subject)}：{_cell(notice.last_error[:200])}"} for notice in failed]
    if failed_total > len(failed):
        rows.append({"类别": "失败通知", "项目": "其余", "数量": failed_total - len(failed), "明细": "见 dudao notices --failed"})
    stuck_total, stuck = stuck_notices(session, get_settings().smtp_max_attempts, FAILED_ROWS)
    rows += [{"类别": "滞留通知", "项目": notice.key, "数量": notice.attempts,
              "明细": f"{_cell(notice.subject)}：{_cell(notice.last_error[:200])}"} for notice in stuck]
    if stuck_total > len(stuck):
        rows.append({"类别": "滞留通知", "项目": "其余", "数量": stuck_total - len(stuck), "明细": "见 dudao notices --stuck"})
    return rows + channel_rows(session)


def channel_rows(session: Session) -> list[dict]:
    """The channel messages (群机器人, 短信) failed for good or stuck, as the notices' rows above."""
    rows = []
    for label, flag, (total, messages) in (
            ("失败渠道消息", "--failed", failed_messages(session, FAILED_ROWS)),
            ("滞留渠道消息", "--stuck", stuck_messages(session, get_settings().smtp_max_attempts, FAILED_ROWS))):
        rows += [{"类别": label, "项目": m.key, "数量": m.attempts,
                  "明细": f"{CHANNEL_LABELS.get(m.channel, m.channel)}：{_cell(m.last_error[:200])}"} for m in messages]
        if total > len(messages):
            rows.append({"类别": label, "项目": "其余", "数量": total - len(messages), "明细": f"见 dudao channels {flag}"})
    return rows


def sweep_markdown(as_of: date, rows: list[dict]) -> str:
    lines = [f"# {as_of} 每日督导巡检", ""]
    if not rows:
        return "\n".join(lines + ["今天没有到期事项，也没有待投递或失败的通知。"]) + "\n"
    lines += ["| 类别 | 项目 | 数量 | 明细 |", "|---|---|---|---|"]
    lines += [f"| {r['类别']} | {_cell(r['项目'])} | {r['数量']} | {r['明细'] or '—'} |" for r in rows]
    return "\n".join(lines) + "\n"
