"""Time covered by spans of work that may overlap (a month's delivery beside the next month's simulation,
task runs of two workers): each second counted once."""


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """The time covered by at least one interval (overlapping work counted once)."""
    covered, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered
