"""挂牌督导: what a routine visit found on the items a responsible inspector checks (the items themselves are
data: the areas of the 挂牌督导 framework, data/indicators/guapai-*.toml), and whether each school had its visits
this semester."""


def problems_of(items: dict[str, str], names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(item, problem) for each item whose record names a problem, in the order of `names`."""
    unknown = set(items) - set(names)
    if unknown:
        raise ValueError(f"未知的项目“{sorted(unknown)[0]}”")
    return [(item, items[item].strip()) for item in names if items.get(item, "").strip()]


def visit_shortfalls(visits: dict[int, int], schools: list[int], required: int) -> dict[int, int]:
    """Schools with fewer than `required` routine visits, with how many are missing."""
    return {s: required - visits.get(s, 0) for s in sorted(schools) if visits.get(s, 0) < required}
