"""Charts of the year-end report as PNG data URIs (matplotlib, Agg backend, Debian's Noto Sans CJK SC).

Each chart function takes plain numbers and returns a `data:image/png;base64,...` URI, so the HTML document
carries its pictures inside it: the filed record, the e-mail and the PDF all show the same thing.
"""

import base64
import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: charts are rendered to memory only

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CJK_FONT_FILES = (  # Debian's fonts-noto-cjk; the .ttc holds the SC face matplotlib selects by name
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
)
CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Serif CJK SC"]
RED, GREY, BLUE = "#c00000", "#8c8c8c", "#2f5597"


class MissingCjkFont(RuntimeError):
    """No CJK font: the charts would show empty boxes instead of Chinese."""


@lru_cache
def configure_fonts() -> str:
    """Register the Noto CJK files with matplotlib; returns the family the charts use."""
    found = [path for path in CJK_FONT_FILES if path.is_file()]
    if not found:
        raise MissingCjkFont("fonts-noto-cjk is not installed (run `make deps-system`)")
    for path in found:
        font_manager.fontManager.addfont(str(path))
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    family = next(name for name in CJK_FAMILIES if name in names)
    matplotlib.rcParams.update({"font.family": family, "axes.unicode_minus": False, "font.size": 10})
    return family


def _figure() -> Figure:
    configure_fonts()
    return Figure(figsize=(6.2, 2.7), dpi=150)


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _label_bars(axes, bars, fmt: str = "{:g}") -> None:
    for bar in bars:
        height = bar.get_height()
        axes.annotate(fmt.format(height), (bar.get_x() + bar.get_width() / 2, height), ha="center", va="bottom",
                      fontsize=8, xytext=(0, 2), textcoords="offset points")


def _tidy(axes, title: str, ylabel: str) -> None:
    axes.set_title(title, fontsize=11)
    axes.set_ylabel(ylabel)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(y=0.15)


def bar_chart(values: Mapping[str, float], *, title: str, ylabel: str, color: str = BLUE,
              fmt: str = "{:g}") -> str:
    """One series as bars, labelled with their values."""
    figure = _figure()
    axes = figure.add_subplot()
    labels = list(values) or ["（无数据）"]
    bars = axes.bar(labels, [values.get(label, 0) for label in labels], color=color, width=0.6)
    _label_bars(axes, bars, fmt)
    _tidy(axes, title, ylabel)
    axes.tick_params(axis="x", labelsize=8)
    return _data_uri(figure)


def stacked_progress(parts: Mapping[str, int], *, title: str, colors: list[str]) -> str:
    """One horizontal bar split into its parts (e.g. rectification items by stage), with shares."""
    configure_fonts()
    figure = Figure(figsize=(6.2, 1.6), dpi=150)
    axes = figure.add_subplot()
    total, left = sum(parts.values()) or 1, 0
    for (label, count), color in zip(parts.items(), colors, strict=False):
        axes.barh([0], [count], left=left, color=color, label=f"{label} {count}（{count / total:.0%}）")
        left += count
    axes.set_yticks([])
    axes.set_xlim(0, total)
    axes.set_title(title, fontsize=11)
    axes.spines[["top", "right", "left"]].set_visible(False)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=min(len(parts), 4) or 1, frameon=False,
                fontsize=8)
    return _data_uri(figure)


def year_against_year(this: Mapping[str, int], last: Mapping[str, int], *, year: int, title: str) -> str:
    """Grouped bars: each measure this year beside the same measure last year."""
    figure = _figure()
    axes = figure.add_subplot()
    labels = list(this)
    positions = range(len(labels))
    width = 0.38
    old = axes.bar([p - width / 2 for p in positions], [last.get(k, 0) for k in labels], width, color=GREY,
                   label=f"{year - 1}年")
    new = axes.bar([p + width / 2 for p in positions], [this[k] for k in labels], width, color=RED,
                   label=f"{year}年")
    _label_bars(axes, old)
    _label_bars(axes, new)
    axes.set_xticks(list(positions), labels, fontsize=8)
    _tidy(axes, title, "数量")
    axes.legend(frameon=False, fontsize=8)
    return _data_uri(figure)


def area_scores_chart(frameworks: list[dict], *, title: str) -> str:
    """Per framework, each area's mean on-site percent beside the self-assessed one (horizontal bars)."""
    if not frameworks:
        return bar_chart({}, title=title, ylabel="得分率（%）")
    configure_fonts()
    rows = sum(len(f["areas"]) for f in frameworks) or 1
    figure = Figure(figsize=(6.2, 0.9 + 0.32 * rows + 0.45 * len(frameworks)), dpi=150)
    heights = [len(f["areas"]) or 1 for f in frameworks]
    grid = figure.add_gridspec(len(heights), 1, height_ratios=heights, hspace=0.55)
    for n, framework in enumerate(frameworks):
        axes = figure.add_subplot(grid[n])
        names = [name for name, _, _ in framework["areas"]]
        places = range(len(names))
        axes.barh([p + 0.2 for p in places], [s or 0 for _, _, s in framework["areas"]], 0.38, color=GREY,
                  label="单位自评")
        bars = axes.barh([p - 0.2 for p in places], [o or 0 for _, o, _ in framework["areas"]], 0.38, color=RED,
                         label="督导评分")
        axes.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
        axes.set_yticks(list(places), names, fontsize=8)
        axes.invert_yaxis()
        axes.set_xlim(0, 105)
        axes.set_title(framework["name"], fontsize=9, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(axis="x", labelsize=7)
    figure.suptitle(title, fontsize=11)
    figure.axes[0].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
    return _data_uri(figure)
