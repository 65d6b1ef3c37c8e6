"""How simulated units, inspectors and operators behave: deterministic in (seed, subject), so a resumed
simulation makes the same choices as an uninterrupted one.

A subject is named by what the ledger says it is (a unit's code, an inspection's code, a finding's place in
its inspection), never by a database id: PostgreSQL does not hand out again the ids a killed transaction
took, so after a kill -9 the same finding would get another id and the year another course."""

import hashlib
import random
from datetime import date, timedelta
from functools import lru_cache

from rules.ladder import STEPS

FINDING_POOL = {
    "school": [
        ("课程教学", "部分学科课时未按国家课程方案开足开齐"),
        ("学生发展", "学生课业负担监测不到位，作业总量控制制度落实不够"),
        ("学校管理", "校园安全隐患排查台账不完整"),
        ("学校管理", "食堂食品留样和陪餐制度执行不规范"),
        ("教师发展", "教师专业发展培训学时记录不全"),
        ("学生发展", "学生每天校内体育活动时间不足1小时"),
        ("办学方向", "“五育并举”实施方案未细化到学期计划"),
    ],
    "department": [
        ("组织领导", "履行教育职责年度任务清单未按期制定"),
        ("教学条件", "教育经费投入政策落实情况未按要求报告"),
        ("均衡发展", "学位供给规划与人口变化衔接不够"),
        ("价值导向", "部门教育工作联系机制运行不够经常"),
    ],
    "town": [
        ("均衡发展", "辖区学校周边交通安全整治不到位"),
        ("组织领导", "镇街教育工作领导小组会议未按期召开"),
        ("教学条件", "辖区幼儿园普惠性学位不足"),
        ("价值导向", "校外培训机构治理协同不够"),
    ],
}


def rng(seed: int, *parts: object) -> random.Random:
    """A random stream of its own for one subject: independent of the order things happen in."""
    digest = hashlib.sha256(":".join(map(str, (seed, *parts))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@lru_cache(maxsize=1 << 16)  # asked for each of a unit's rows every simulated day
def unit_profile(seed: int, unit_code: str) -> str:
    """diligent (most), late (some) or never (a few) — how a unit answers deadlines."""
    roll = rng(seed, "profile", unit_code).random()
    return "diligent" if roll < 0.7 else "late" if roll < 0.9 else "never"


@lru_cache(maxsize=1 << 17)  # asked for every zoned school on every working day of the semester
def routine_visit_days(seed: int, school_code: str, semester: str, required: int,
                       window: tuple[date, date]) -> frozenset[date]:
    """The (calendar) days a school's responsible inspector visits it in a semester (挂牌督导): most schools get
    the `required` visits, some one fewer, a few none; the days fall in `window`, the semester's teaching time."""
    r = rng(seed, "routine", school_code, semester)
    roll = r.random()
    count = required if roll < 0.85 else required - 1 if roll < 0.97 else 0
    span = (window[1] - window[0]).days + 1
    return frozenset(window[0] + timedelta(days=offset) for offset in r.sample(range(span), min(count, span)))


# The earliest a unit acts before its date (self-assessment: due - 6 days; rectification report: deadline - 12
# days): the simulation reads only the rows whose date is this close, so the bounds must hold (tested).
SELF_ASSESSMENT_EARLIEST_DAYS = 6
SUBMISSION_EARLIEST_DAYS = 12


def self_assessment_day(seed: int, unit_code: str, due: date) -> date | None:
    profile = unit_profile(seed, unit_code)
    if profile == "never" and rng(seed, "sa-never", unit_code).random() < 0.5:
        return None
    shift = rng(seed, "sa", unit_code).randint(-6, -1) if profile == "diligent" else rng(seed, "sa", unit_code).randint(0, 3)
    return due + timedelta(days=shift)


def finding_key(inspection_code: str, seq: int) -> str:
    """A finding (and its rectification item) by its inspection's code and its number there."""
    return f"{inspection_code}#{seq}"


def findings_for(seed: int, inspection_code: str, unit_kind: str) -> list[tuple[str, str, str]]:
    """0–4 findings drawn from the pool for the unit's kind."""
    r = rng(seed, "findings", inspection_code)
    pool = FINDING_POOL.get(unit_kind, FINDING_POOL["school"])
    count = r.choices([0, 1, 2, 3, 4], weights=[15, 25, 30, 20, 10])[0]
    found = [(area, text, "serious" if r.random() < 0.15 else "general") for area, text in r.sample(pool, count)]
    if unit_kind in ILLEGAL_ACTS and r.random() < ILLEGAL_SHARE:  # drawn last: the draws above stay as they were
        found.append((*ILLEGAL_ACTS[unit_kind], "illegal"))
    return found


# An illegal act an inspector may find at a school (实施方案 §十五: 教师师德失范 …), referred at once.
ILLEGAL_ACTS = {"school": ("教师发展", "个别教师组织学生有偿补课，存在师德失范行为")}
ILLEGAL_SHARE = 0.03


def interview_by_hand(seed: int, inspection_code: str, serious: int) -> bool:
    """Whether the office summons the head of a unit whose 督导意见书 lists serious problems (实施方案 §十三),
    besides any 约谈 the ladder raises later."""
    return serious > 0 and rng(seed, "hand-interview", inspection_code).random() < 0.3


HAND_INTERVIEW_REASONS = {"school": "irregular", "department": "duties", "town": "duties"}  # [hand_raised] keys


def rebuttal_upheld(seed: int, inspection_code: str) -> bool | None:
    """None: no rebuttal; else whether the office upholds the unit's rebuttal of its first finding."""
    r = rng(seed, "rebut", inspection_code)
    return None if r.random() >= 0.12 else r.random() < 0.5


@lru_cache(maxsize=1 << 17)  # an open item is asked every day with the same arguments until it moves
def submission_day(seed: int, unit_code: str, item_key: str, deadline: date, ladder_step: str,
                   attempt: int) -> date | None:
    """When the unit hands in a rectification report for its current deadline, if ever."""
    profile = unit_profile(seed, unit_code)
    r = rng(seed, "submit", item_key, deadline, attempt)
    if profile == "diligent":
        return deadline - timedelta(days=r.randint(0, 12))
    if profile == "late":
        return _late_submission(seed, item_key, deadline, ladder_step, r)
    return None


# How far up the ladder a late unit lets an item climb before it answers (share of its items, cumulative).
LATE_ANSWERS_AT = (("urge", 0.55), ("interview", 0.8), ("circular", 1.0))
# When it answers there: days relative to the deadline in force (the 督办 deadline from 督办 on).
_ANSWER_DAYS = {"urge": (-12, 0), "interview": (2, 9), "circular": (17, 24)}


def _late_submission(seed: int, item_key: str, deadline: date, ladder_step: str, r: random.Random) -> date | None:
    roll = rng(seed, "stubborn", item_key).random()
    answers_at = next(step for step, share in LATE_ANSWERS_AT if roll < share)
    if STEPS.index(ladder_step) >= STEPS.index(answers_at):
        return deadline + timedelta(days=r.randint(*_ANSWER_DAYS[answers_at]))
    if ladder_step in ("none", "reminder") and r.random() < 0.3:
        return deadline - timedelta(days=r.randint(0, 5))
    return None


def raises_issue(seed: int, finding_key: str, unit_kind: str) -> bool:
    """Whether the unit reports a finding as one it cannot resolve alone (四级议题上报)."""
    return rng(seed, "raise", finding_key).random() < (0.05 if unit_kind == "school" else 0.25)


def review_request_day(seed: int, inspection_code: str, issued_on: date) -> date | None:
    """When the unit asks for 复核 of its 督导意见书, if it does (about one in twelve)."""
    r = rng(seed, "review-request", inspection_code)
    return issued_on + timedelta(days=r.randint(2, 12)) if r.random() < 0.08 else None


def review_decision(seed: int, inspection_code: str, requested_on: date) -> tuple[date, bool]:
    """When the office decides a 复核 (one per inspection; sometimes past its 30 days) and whether it upholds
    the request."""
    r = rng(seed, "review-decision", inspection_code)
    return requested_on + timedelta(days=r.choice([7, 14, 21, 28, 36])), r.random() < 0.2


def accept_submission(seed: int, item_key: str, attempt: int) -> bool:
    """Whether the office accepts the item's `attempt`-th report (a second one always)."""
    return attempt > 1 or rng(seed, "review", item_key, attempt).random() >= 0.15


def relapses(seed: int, item_key: str, reopen_count: int) -> bool:
    return reopen_count == 0 and rng(seed, "relapse", item_key).random() < 0.1


def item_scores(seed: int, inspection_code: str, unit_code: str, source: str,
                items: list[tuple[str, float, str]], weak_areas: frozenset[str] = frozenset()) -> dict[str, float]:
    """Points given per item (code, points, area name), in half points.

    A unit has a quality of its own; inspectors score near it, lower in areas where they found problems.
    Most units rate themselves a little above it; about one in eight far above (the gap the office flags).
    """
    quality = 0.66 + 0.31 * rng(seed, "quality", unit_code).random()
    inflation = rng(seed, "inflate", unit_code)
    lift = inflation.uniform(0.15, 0.25) if inflation.random() < 0.12 else inflation.uniform(0.0, 0.04)
    r = rng(seed, "scores", inspection_code, source)
    scores = {}
    for code, points, area in items:
        if source == "self":
            level = quality + lift + r.gauss(0, 0.03)
        else:
            level = quality + r.gauss(0, 0.04) - (0.03 if area in weak_areas else 0.0)
        scores[code] = round(points * min(1.0, max(0.3, level)) * 2) / 2
    return scores
