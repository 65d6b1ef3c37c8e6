"""结果运用 (实施方案 §十二–十三): one line per unit of the year's results, as the bodies that use them in 考核,
任免, 奖惩 and 资源配置 read it: its grade, how many rectification items it finished on time, and how often it
reached 约谈, 通报 and 问责. Pure: the caller hands in what the ledger holds."""

from collections.abc import Iterable
from dataclasses import dataclass

NO_GRADE = "本年度未评定"
LADDER_KINDS = ("interview", "circular", "accountability")  # 约谈通知书, 督导通报, 问责建议书


@dataclass(frozen=True)
class UnitResult:
    code: str
    name: str
    kind: str
    grade: str
    items: int
    on_time: int
    interviews: int
    circulars: int
    accountability: int

    @property
    def on_time_rate(self) -> str:
        """Items finished on time as a percent; "—" for a unit with no item (nothing to rectify)."""
        return f"{self.on_time / self.items:.0%}" if self.items else "—"


def unit_results(units: Iterable[tuple[str, str, str]], grades: dict[str, str], items: dict[str, list[bool]],
                 ladder: dict[tuple[str, str], int]) -> list[UnitResult]:
    """A line per unit (code, name, kind), in the order given.

    Args:
        grades: unit code -> grade of its comprehensive inspection of the year (absent: not graded this year).
        items: unit code -> for each of its rectification items of the year, whether it was done on time.
        ladder: (unit code, document kind of LADDER_KINDS) -> how many were issued to it in the year.
    """
    return [UnitResult(code, name, kind, grades.get(code, NO_GRADE), len(items.get(code, [])),
                       sum(items.get(code, [])), *(ladder.get((code, k), 0) for k in LADDER_KINDS))
            for code, name, kind in units]
