"""The policy in force: one versioned TOML file, validated, with the 实施方案's numbers as defaults."""

import re
from datetime import date
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    model_validator,
)

from core.errors import InputError
from core.toml_input import read_toml
from rules.policy_lines import describe_error

LARGEST = 100_000  # no count, day number or threshold in the policy is larger (a typo'd 10**20 would hang)
_MONTH_DAY = re.compile(r"\d{2}-\d{2}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="after")
    def _sane_values(self):
        """Every number at most LARGEST; every MM-DD field (by its default) a real day of the year."""
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            numbers = value if isinstance(value, tuple) else (value,)
            if any(isinstance(n, int | float) and not isinstance(n, bool) and n > LARGEST for n in numbers):
                raise ValueError(f"{name}：大于 {LARGEST}")
            if isinstance(field.default, str) and _MONTH_DAY.fullmatch(field.default):
                _check_month_day(name, value)
            if isinstance(field.default, tuple) and field.default and all(
                    isinstance(d, str) and _MONTH_DAY.fullmatch(d) for d in field.default):
                for day in value:
                    _check_month_day(name, day)
        return self


def _check_month_day(name: str, value: str) -> None:
    try:
        date.fromisoformat(f"2000-{value}")  # a leap year: 02-29 is a day of the year
    except ValueError:
        raise ValueError(f"{name}: {value!r} 不是 MM-DD 格式的日期") from None


class AnnualPolicy(_Section):
    visits_from: str = "03-16"
    visits_until: str = "06-30"

    def window(self, year: int) -> tuple[date, date]:
        start = date.fromisoformat(f"{year}-{self.visits_from}")
        return start, date.fromisoformat(f"{year}-{self.visits_until}")


class InspectionPolicy(_Section):
    notice_days_before_visit: NonNegativeInt = 30
    self_assessment_workdays_before_visit: NonNegativeInt = 5
    feedback_workdays_after_visit: NonNegativeInt = 3
    rebuttal_workdays: NonNegativeInt = 5
    publication_workdays: PositiveInt = 20
    release_workdays: NonNegativeInt = 3
    team_min: PositiveInt = 3
    emergency_feedback_workdays: NonNegativeInt = 1
    emergency_rectification_days: PositiveInt = 10


class RectificationPolicy(_Section):
    period_days: PositiveInt = 30
    review_workdays: NonNegativeInt = 5
    review_request_days: PositiveInt = 15
    review_decision_days: PositiveInt = 30
    recheck_days: PositiveInt = 90


class LadderPolicy(_Section):
    reminder_workdays_before: tuple[PositiveInt, ...] = (5, 1)
    urge_workdays: PositiveInt = 15
    interview_after_workdays: NonNegativeInt = 1
    circular_after_workdays: PositiveInt = 10
    accountability_after_workdays: PositiveInt = 10
    aggravated_after: PositiveInt = 2
    interview_notice_workdays: NonNegativeInt = 3
    interview_place: str = Field(default="区政府教育督导室", min_length=1, max_length=100)


class EscalationPolicy(_Section):
    level_workdays: tuple[PositiveInt, PositiveInt, PositiveInt] = (10, 10, 15)


class FrequencyPolicy(_Section):
    cap_per_semester: PositiveInt = 4


class InspectorPolicy(_Section):
    schools_per_inspector: PositiveInt = 5
    large_school_students: PositiveInt = 2000
    zone_max_schools: PositiveInt = 20
    term_years: PositiveInt = 3
    max_consecutive_terms: PositiveInt = 3
    training_hours_per_year: PositiveInt = 40
    visits_per_semester: PositiveInt = 2
    term_reminder_days: PositiveInt = 60
    training_check_on: str = "12-01"
    visit_check_on: tuple[str, str] = ("06-15", "12-15")  # MM-DD in the spring and autumn semesters

    @model_validator(mode="after")
    def _checks_within_their_semesters(self):
        spring, autumn = (int(day[:2]) for day in self.visit_check_on)
        if not (2 <= spring <= 7 and 8 <= autumn <= 12):
            raise ValueError(f"visit_check_on: {list(self.visit_check_on)} 须为春季学期（2–7 月）的一天"
                             "和秋季学期（8–12 月）的一天")
        return self


class PlanningPolicy(_Section):
    schools_every_year: bool = False
    rotation_years: int = Field(default=3, ge=3, le=5)
    autumn_from: str = "09-15"
    autumn_until: str = "12-15"
    private_theme: str = "民办学校规范办学"
    random_schools: NonNegativeInt = 6
    covert_visits: NonNegativeInt = 4
    covert_team: PositiveInt = 2
    monitoring_samples: NonNegativeInt = 8
    term_end_window_days: PositiveInt = 365
    term_end_lead_days: PositiveInt = 60

    def autumn_window(self, year: int) -> tuple[date, date]:
        return date.fromisoformat(f"{year}-{self.autumn_from}"), date.fromisoformat(f"{year}-{self.autumn_until}")


class ScoringPolicy(_Section):
    """Grades of a weighted score (percent of the framework's points) and the self-assessment gap flag."""

    excellent_from: float = Field(default=90, gt=0, le=100)  # 优秀
    good_from: float = Field(default=80, gt=0, le=100)  # 良好
    pass_from: float = Field(default=60, gt=0, le=100)  # 合格; below: 不合格
    self_gap_points: float = Field(default=10, gt=0, le=100)  # self-rated above on-site by more: flagged

    @model_validator(mode="after")
    def _ordered(self):
        if not self.excellent_from > self.good_from > self.pass_from:
            raise ValueError("须满足 excellent_from > good_from > pass_from")
        return self


class ResultsPolicy(_Section):
    """结果运用 (实施方案 §十二): the bodies that receive the annual results sheets, by their names in the ledger."""

    recipients: tuple[str, ...] = Field(default=("区委组织部", "区教委", "区财政局", "区人力社保局"), min_length=1)


class HandRaisedPolicy(_Section):
    """The reasons a 约谈 (实施方案 §十三) or a 问责 (§十五) may be raised by hand, other than an overdue item:
    key (what the CLI and imports take) → the seed's words."""

    interview_reasons: dict[str, str] = Field(default_factory=lambda: dict(_INTERVIEW_REASONS), min_length=1)
    accountability_reasons: dict[str, str] = Field(default_factory=lambda: dict(_ACCOUNTABILITY_REASONS),
                                                   min_length=1)


_INTERVIEW_REASONS = {  # 实施方案 §十三
    "not_resolute": "贯彻落实党的教育方针和上级教育决策部署不坚决不彻底", "duties": "履行教育职责不到位",
    "lagging": "教育攻坚任务完成严重滞后", "irregular": "办学行为不规范", "quality": "教育教学质量下降",
    "safety": "安全问题较多", "refusal": "拒不接受教育督导"}
_ACCOUNTABILITY_REASONS = {  # 实施方案 §十五
    "targets_missed": "年度目标任务未完成", "failed_grade": "履行教育职责评价不合格",
    "obstruction": "阻挠、干扰和不配合教育督导工作", "mass_incidents": "教育群体性事件多发高发、应对不力、群众反映强烈",
    "serious_accident": "因履行教育职责严重失职导致发生重大安全事故或重大涉校案事件",
    "threats": "威胁恐吓、打击报复教育督导人员"}


class ReferralPolicy(_Section):
    """Illegal acts found by inspectors (违法办学, 侵犯合法权益, 师德失范) go at once to the enforcement bodies
    (实施方案 §十五: 移交相关执法部门调查处理): the codes of their units in the district file."""

    to_units: tuple[str, ...] = Field(default=("D06",), min_length=1)


_KIND = r"^[a-z][a-z0-9_]{0,31}$"  # a notice kind: a document kind (templates/documents/<kind>.html) or alert


class ChannelsPolicy(_Section):
    """Which notice kinds go, beside e-mail, to the unit's work group robot (webhook) and by SMS. E-mail always
    goes; these are for what must not sit unread in a mailbox."""

    webhook: tuple[str, ...] = Field(default=(), max_length=100)
    sms: tuple[str, ...] = Field(default=(), max_length=100)

    @model_validator(mode="after")
    def _kinds(self):
        for name in ("webhook", "sms"):
            for kind in getattr(self, name):
                if not re.fullmatch(_KIND, kind):
                    raise ValueError(f"{name}: {kind!r} is not a notice kind (lowercase letters, digits, _)")
        return self

    def channels_of(self, kind: str) -> tuple[str, ...]:
        """The channels beside e-mail a notice of `kind` goes by, in a fixed order."""
        return tuple(name for name in ("webhook", "sms") if kind in getattr(self, name))


class SignoffPolicy(_Section):
    """The office is alerted once per report whose publication sign-off (签发) waits longer than this."""

    alert_after_workdays: PositiveInt = 3


class SelfEvaluationPolicy(_Section):
    """The district's self-evaluation for the city (实施方案 §一(四) 做好市对区政府履行教育职责自查自评工作): the
    report is due to the city by mid-May (the city's annual evaluation: report mid-May, field checks in summer);
    the problems found are followed with a reminder before their 整改期限 and a 督办 the day after it."""

    report_due: str = "05-15"  # MM-DD: the 自查自评报告 reaches the city by this day
    reminder_workdays_before: PositiveInt = 5  # a problem's responsible unit is reminded this many working days before


class Policy(_Section):
    version: str = Field(min_length=1)
    annual: AnnualPolicy = AnnualPolicy()
    inspection: InspectionPolicy = InspectionPolicy()
    rectification: RectificationPolicy = RectificationPolicy()
    ladder: LadderPolicy = LadderPolicy()
    escalation: EscalationPolicy = EscalationPolicy()
    frequency: FrequencyPolicy = FrequencyPolicy()
    inspectors: InspectorPolicy = InspectorPolicy()
    planning: PlanningPolicy = PlanningPolicy()
    scoring: ScoringPolicy = ScoringPolicy()
    results: ResultsPolicy = ResultsPolicy()
    hand_raised: HandRaisedPolicy = HandRaisedPolicy()
    referral: ReferralPolicy = ReferralPolicy()
    channels: ChannelsPolicy = ChannelsPolicy()
    signoff: SignoffPolicy = SignoffPolicy()
    self_evaluation: SelfEvaluationPolicy = SelfEvaluationPolicy()


def load_policy(path: Path) -> Policy:
    """Read and validate the policy file; a bad file raises InputError naming the line."""
    text, data = read_toml(path, "政策文件")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_error(path, text, exc)) from None
