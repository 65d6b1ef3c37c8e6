"""The dashboard's charts as geometry for inline SVG (templates/portal/dashboard_charts.html draws them).

Not the year-end report's matplotlib charts (tasks/year_end/charts.py): those are PNG data URIs for a filed
document, and the portal's CSP allows neither data: images nor inline styles (matplotlib's SVG styles every
shape with a style attribute), and rendering them costs tens of milliseconds a chart on every request. Here a
chart is rectangles and text with presentation attributes (fill, x, width), each bar a link to its list, drawn
in microseconds; the palette is the report's, so the two read alike."""

from dataclasses import dataclass

# The year-end report's palette (tasks/year_end/charts.py), and a green for "done".
RED, GREY, BLUE, GREEN = "#c00000", "#8c8c8c", "#2f5597", "#2e7d32"
WIDTH, LABEL_WIDTH, VALUE_WIDTH, ROW, BAR = 480, 160, 50, 28, 18  # a phone-sized drawing, scaled to the column


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    color: str
    value: int
    href: str
    name: str  # what the segment counts, for its tooltip


@dataclass(frozen=True)
class Row:
    label: str
    y: int
    segments: tuple[Segment, ...]
    total: int
    href: str


@dataclass(frozen=True)
class Chart:
    title: str
    rows: tuple[Row, ...]
    height: int
    width: int = WIDTH
    bar_x: int = LABEL_WIDTH
    bar_height: int = BAR
    legend: tuple[tuple[str, str], ...] = ()  # (color, name)


def bar_chart(title: str, rows: list[tuple[str, str, list[tuple[str, int, str, str]]]], *,
              legend: tuple[tuple[str, str], ...] = ()) -> Chart:
    """Horizontal bars on one scale: per row its label, the link of its total, and its segments (name, value,
    link, colour); a row of one segment is a plain bar. The longest row fills the width."""
    longest = max((sum(v for _, v, _, _ in parts) for _, _, parts in rows), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / longest
    drawn = []
    for n, (label, href, parts) in enumerate(rows):
        x, segments = float(LABEL_WIDTH), []
        for name, value, href, color in parts:
            segments.append(Segment(x, value * scale, color, value, href, name))
            x += value * scale
        total = sum(s.value for s in segments)
        drawn.append(Row(label, n * ROW, tuple(s for s in segments if s.value), total, href))
    return Chart(title, tuple(drawn), max(len(drawn), 1) * ROW + 4, legend=legend)
