"""What the simulated office and inspectors do beyond the daily round, so that a simulated year runs every
kind of inspection: the sealed 暗访 seed of its plan, a special inspection started by hand (专项督导), the
emergencies of the year (重大教育突发事件督导), and the problems a routine visit (挂牌督导) finds.

Deterministic in (seed, what a thing is: the year, a unit's code, a day), never a database id, like
rules/behaviour.py, so a resumed year takes the same course."""

from datetime import date, timedelta

from rules.behaviour import rng

SPECIAL_THEMES = ("校园安全", "课后服务", "“双减”政策落实", "食品安全")
INCIDENTS = (
    "学生在体育课上受伤送医，家长反映学校处置不及时",
    "学校食堂发生疑似食物中毒事件，多名学生就医",
    "校舍局部墙体出现裂缝，存在安全隐患",
    "校外培训机构违规招生引发群体性投诉",
)
ROUTINE_PROBLEMS = {  # 挂牌督导 item (area of the framework) -> what a visit finds wrong there
    "校务管理": "校务公开栏信息未及时更新",
    "招生收费": "收费公示内容与实际收费项目不一致",
    "课程与课堂": "部分班级课表与实际授课不一致",
    "学生学习、体育与课业负担": "作业公示制度执行不到位",
    "校园及周边安全": "消防通道堆放杂物，未及时清理",
    "食堂、饮水与宿舍卫生": "食堂晨检记录缺失",
}
ROUTINE_PROBLEM_SHARE = 0.06  # of routine visits that find something
SPECIAL_UNITS = 4  # schools in the simulated special inspection
EMERGENCIES_PER_YEAR = (1, 2)  # at least one, so a simulated year always has one


def covert_seed(seed: int, year: int) -> int:
    """The plan's sealed seed for the 暗访 draw (a real office draws it with `secrets`)."""
    return rng(seed, "covert-seed", year).getrandbits(48)


def special_day(seed: int, year: int) -> tuple[date, str]:
    """When the office starts its special inspection of the year (April, so visits fall in May), and its theme."""
    r = rng(seed, "special", year)
    return date(year, 4, 1) + timedelta(days=r.randint(0, 20)), r.choice(SPECIAL_THEMES)


def special_units(seed: int, year: int, school_codes: list[str]) -> list[str]:
    """The schools the special inspection covers, drawn from the codes (sorted: independent of their order)."""
    codes = sorted(school_codes)
    return sorted(rng(seed, "special-units", year).sample(codes, min(SPECIAL_UNITS, len(codes))))


def emergency_season(year: int) -> tuple[date, date]:
    """The first and last day an emergency of the year can happen."""
    return date(year, 5, 1), date(year, 11, 15)


def emergencies(seed: int, year: int, school_codes: list[str]) -> list[tuple[date, str, str]]:
    """(day, school code, what happened) for each emergency of the year, between May and mid-November."""
    r = rng(seed, "emergencies", year)
    codes = sorted(school_codes)
    start, last = emergency_season(year)
    span = (last - start).days
    return sorted((start + timedelta(days=r.randint(0, span)), r.choice(codes), r.choice(INCIDENTS))
                  for _ in range(r.randint(*EMERGENCIES_PER_YEAR)))


def routine_problems(seed: int, school_code: str, day: date, items: tuple[str, ...]) -> list[tuple[str, str]]:
    """(item, problem) a routine visit finds: usually nothing; sometimes one problem on an item it checks."""
    r = rng(seed, "routine-problem", school_code, day)
    if r.random() >= ROUTINE_PROBLEM_SHARE or not items:
        return []
    item = r.choice(sorted(items))
    return [(item, ROUTINE_PROBLEMS.get(item, f"{item}方面存在不规范情况，需限期整改"))]
