"""Inspections, their teams, findings, rectification items and the units' submissions."""

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class InspectionKind:
    ANNUAL = "annual"  # 年度综合督导
    SPECIAL = "special"  # 专项督导
    EMERGENCY = "emergency"  # 重大教育突发事件督导
    TERM_END = "term_end"  # 校长任期结束综合督导
    RANDOM = "random"  # 双随机
    COVERT = "covert"  # 暗访
    ROUTINE = "routine"  # 挂牌督导经常性督导


KIND_LABELS = {
    InspectionKind.ANNUAL: "年度综合督导",
    InspectionKind.SPECIAL: "专项督导",
    InspectionKind.EMERGENCY: "突发事件督导",
    InspectionKind.TERM_END: "校长任期结束综合督导",
    InspectionKind.RANDOM: "随机督导",
    InspectionKind.COVERT: "暗访督导",
    InspectionKind.ROUTINE: "挂牌督导",
}


class Inspection(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=40)
    year: int = Field(index=True)
    kind: str = Field(max_length=16)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    stage: str = Field(default="planned", index=True, max_length=20)
    version: int = 1
    theme: str | None = Field(default=None, max_length=200)
    covert: bool = False
    notice_on: date | None = Field(default=None, index=True)
    self_assessment_due: date | None = None
    self_assessment_on: date | None = None
    visit_on: date | None = Field(default=None, index=True)
    feedback_on: date | None = None
    rebuttal_due: date | None = Field(default=None, index=True)
    issued_on: date | None = None
    released_on: date | None = None
    published_on: date | None = None
    recheck_on: date | None = Field(default=None, index=True)
    closed_on: date | None = None
    rectification_due: date | None = None  # 整改期限 an operator set (emergency); None: the policy's period


class InspectionMember(SQLModel, table=True):
    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True)
    inspector_id: int = Field(foreign_key="inspector.id", primary_key=True)
    role: str = Field(default="member", max_length=8)  # lead or member


class Finding(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    seq: int
    area: str = Field(max_length=50)
    text: str
    severity: str = Field(default="general", max_length=10)  # general, serious or illegal (违法办学, 师德失范 …)
    rebutted: bool = False
    withdrawn: bool = False
    rebuttal_reason: str | None = None  # the unit's 申辩, in its words
    rebuttal_decision: str | None = Field(default=None, max_length=10)  # pending, upheld, dismissed (None: none)
    rebuttal_note: str | None = None  # the office's reason for its decision
    requirement: str | None = None  # the inspector's own 整改要求 (None: the generated sentence)
    deadline: date | None = None  # the inspector's 整改期限 for it (None: the policy's period)
    referred_on: date | None = None  # an illegal act's referral to the enforcement bodies (移交执法)
    level: int = 1  # 四级议题: 1 school/unit, 2 责任督学, 3 督导室, 4 督导委员会
    level_since: date | None = None
    needs_escalation: bool = False  # raised as an issue the unit cannot resolve alone (四级议题上报)
    escalate_on: date | None = Field(default=None, index=True)  # when it rises a level if still unresolved


class RectificationItem(SQLModel, table=True):
    __table_args__ = (Index("ix_rectificationitem_stage_next_action_on", "stage", "next_action_on"),)

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", unique=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    stage: str = Field(default="open", index=True, max_length=12)
    version: int = 1
    decision: str  # 整改决定: what the unit must do
    deadline: date  # the deadline first set by the 督导意见书
    current_deadline: date = Field(index=True)  # moves with 督办 and relapses
    ladder_step: str = Field(default="none", max_length=16)
    ladder_since: date | None = None
    submitted_on: date | None = None
    accepted_on: date | None = None
    recheck_on: date | None = Field(default=None, index=True)
    closed_on: date | None = None
    reopen_count: int = 0
    next_action_on: date | None = None  # the day the ladder sweep must look at it next (None: not yet planned)
    step_due_on: date | None = None  # the day its next escalation step falls due, fixed when the last one was issued


class Submission(SQLModel, table=True):
    """A rectification report (整改报告) handed in by the unit for one item."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="rectificationitem.id", index=True)
    submitted_on: date
    text: str
    decision: str = Field(default="pending", max_length=10)  # pending, accepted, rejected, withdrawn
    reason: str = ""
    decided_on: date | None = None
