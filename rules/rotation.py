"""Which schools are due for their comprehensive inspection (条例 art. 14: every 3–5 years)."""

from datetime import date


def rotation_due(codes: list[str], last: dict[str, tuple[date | None, int | None]], year: int,
                 default_years: int) -> dict[str, str]:
    """Schools due in `year`, with why. A school with no record is spread over the rotation by its position
    in code order (the i-th school is due when year ≡ i mod the rotation), so each year takes its share."""
    due = {}
    for position, code in enumerate(sorted(codes)):
        last_on, years = last.get(code, (None, None))
        years = years or default_years
        if last_on is None:
            if (year - position) % years == 0:
                due[code] = f"综合督导{years}年一轮（无上次记录，按编码分入第{position % years + 1}组）"
        elif year - last_on.year >= years:
            due[code] = f"上次综合督导{last_on.year}年，{years}年一轮到期"
    return due
