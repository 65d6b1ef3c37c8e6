"""What an operator reads after starting an inspection by hand (emergency-inspection, special-inspection,
from the Prefect UI or the CLI): a markdown artifact naming what was created, for whom, which documents and
notices, and what happens next. Rendered from the ledger after the commit, so it shows what is there."""

import json

from sqlmodel import Session, select

from models import KIND_LABELS, Document, Inspection, Notice, Unit
from tasks.documents.contexts import team_names
from tasks.operator.links import document_link

NOTICE_STATUS = {"pending": "待投递（在发件箱中）", "sending": "投递中", "sent": "已发出", "failed": "投递失败"}
NEXT_DELIVERY = ("发件箱中的通知在下一次每日巡检（工作日 8:30）时投递；要立即发出，请运行部署 "
                 "**deliver-outbox**（或 `dudao notices deliver`）。")


def _cell(text: object) -> str:
    return str(text).replace("|", "｜").replace("\n", " ")


def _recipients(notice: Notice) -> str:
    return "、".join(name for name, _address in json.loads(notice.recipients)) or "—"


def _papers(session: Session, inspection: Inspection) -> list[str]:
    documents = session.exec(select(Document).where(Document.inspection_id == inspection.id).order_by(Document.id)).all()
    notices = session.exec(select(Notice).where(Notice.inspection_id == inspection.id).order_by(Notice.id)).all()
    lines = ["## 文书", ""] + ([f"- [{_cell(d.title)}]({document_link(d)})（{d.issued_on}）" for d in documents]
                              or ["- （尚无）"])
    lines += ["", "## 通知", "", "| 通知 | 收件人 | 状态 |", "|---|---|---|"]
    lines += [f"| {_cell(n.subject)} | {_cell(_recipients(n))} | {NOTICE_STATUS.get(n.status, n.status)} |"
              for n in notices] or ["| （尚无） | | |"]
    return lines


def emergency_markdown(session: Session, inspection: Inspection, reason: str, feedback_workdays: int) -> str:
    """The emergency inspection just opened: facts, documents, notices, and the steps the sweep takes next."""
    unit = session.get(Unit, inspection.unit_id)
    deadline = inspection.rectification_due or "督导意见书下发后按政策天数计算"
    lines = [f"# {inspection.year}年{KIND_LABELS['emergency']} · {unit.name}", "",
             "| 项目 | 内容 |", "|---|---|", f"| 督导编号 | {inspection.code} |",
             f"| 被督导单位 | {_cell(unit.name)}（{unit.code}） |", f"| 事由 | {_cell(reason)} |",
             f"| 督导组 | {_cell('、'.join(team_names(session, inspection)) or '—')} |",
             f"| 实地督导日期 | {inspection.visit_on} |", f"| 整改期限 | {deadline} |", ""]
    lines += _papers(session, inspection)
    lines += ["", "## 接下来", "",
              "- 《重大教育突发事件督导情况报告》已报市政府教育督导室和区领导：" + NEXT_DELIVERY,
              f"- {inspection.visit_on} 实地督导（不要求自评）；其后 {feedback_workdays} 个工作日内出具初步督导意见反馈书，"
              "申辩期满后下发督导意见书，整改事项由每日巡检跟进。"]
    return "\n".join(lines) + "\n"


def special_markdown(session: Session, theme: str, outcome: dict[str, list[str]]) -> str:
    """The special inspection just started: per unit, opened (with its code and visit day), merged or deferred."""
    lines = [f"# 专项督导 · {_cell(theme)}", "", "| 被督导单位 | 结果 | 督导编号 | 实地督导日期 |", "|---|---|---|---|"]
    words = {"opened": "新开督导", "merged": "并入本学期已安排的督导", "deferred": "本学期督导次数已满，顺延"}
    for status, codes in outcome.items():
        for code in codes:
            unit = session.exec(select(Unit).where(Unit.code == code)).one()
            inspection = session.exec(select(Inspection).where(Inspection.unit_id == unit.id, Inspection.theme.contains(
                theme)).order_by(Inspection.id.desc())).first()
            lines.append(f"| {_cell(unit.name)}（{code}） | {words.get(status, status)} | "
                         f"{inspection.code if inspection else '—'} | {inspection.visit_on if inspection else '—'} |")
    lines += ["", "## 接下来", "", "- 督导通知书由每日巡检按政策在实地督导前下发；" + NEXT_DELIVERY]
    return "\n".join(lines) + "\n"
