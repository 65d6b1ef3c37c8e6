"""What is wrong with an import file: every bad cell named by file, row, column and reason."""

from dataclasses import dataclass, field

from core.errors import InputError


@dataclass(frozen=True)
class Problem:
    row: int | None  # the spreadsheet row (the header is row 1); None: the file as a whole
    column: str | None  # the header, with the column letter, e.g. "得分 (I)"
    reason: str

    def describe(self) -> str:
        parts = [f"第 {self.row} 行" if self.row is not None else "",
                 f"{self.column} 列" if self.column else ""]
        where = "，".join(part for part in parts if part)
        return f"{where}：{self.reason}" if where else self.reason


@dataclass
class Problems:
    """Collects problems up to a limit (the rest are counted); `refuse()` raises if there are any."""

    file: str
    limit: int = 50
    shown: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, row: int | None, column: str | None, reason: str) -> None:
        self.total += 1
        if len(self.shown) < self.limit:
            self.shown.append(Problem(row, column, reason))

    def __bool__(self) -> bool:
        return self.total > 0

    def refuse(self) -> None:
        if self.total:
            raise ImportRefused(self.file, self.shown, self.total)


class ImportRefused(InputError):
    """The file has problems; nothing was written. The message lists each problem on a line of its own."""

    def __init__(self, file: str, problems: list[Problem], total: int | None = None):
        self.file, self.problems, self.total = file, problems, total if total is not None else len(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [f"{self.file}：{self.total} 处问题，未导入任何数据"]
        lines += [f"  {self.file}：{p.describe()}" for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  …… 另有 {self.total - len(self.problems)} 处问题")
        return "\n".join(lines)


def refuse(file: str, reason: str, row: int | None = None, column: str | None = None) -> ImportRefused:
    """A problem that stops reading at once (an unreadable, empty or oversized file)."""
    return ImportRefused(file, [Problem(row, column, reason)])
