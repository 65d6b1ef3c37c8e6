"""挂牌督导: the eight items a responsible inspector checks on a routine visit, and whether each school had
its visits this semester."""

ROUTINE_ITEMS = ("校务管理", "招生收费", "课程与课堂", "学生学习/体育/课业负担", "师德与专业发展", "校园及周边安全",
                 "食堂/饮水/宿舍卫生", "校风教风学风")


def problems_of(items: dict[str, str]) -> list[tuple[str, str]]:
    """(item, problem) for each item whose record names a problem, in the items' order."""
    unknown = set(items) - set(ROUTINE_ITEMS)
    if unknown:
        raise ValueError(f"unknown item '{sorted(unknown)[0]}'")
    return [(item, items[item].strip()) for item in ROUTINE_ITEMS if items.get(item, "").strip()]


def visit_shortfalls(visits: dict[int, int], schools: list[int], required: int) -> dict[int, int]:
    """Schools with fewer than `required` routine visits, with how many are missing."""
    return {s: required - visits.get(s, 0) for s in sorted(schools) if visits.get(s, 0) < required}
