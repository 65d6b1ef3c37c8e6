"""The 公文 layout of GB/T 9704-2012 measured from each document kind's PDF itself (pdfplumber's character
boxes, lines, page size and font sizes), not from the template; and each PDF says what its HTML says.

Backend-independent (the PDF is read from its file, the ledger only makes the samples): these run on SQLite
only, and say so in their names.
"""

import re

import pytest
from pypdf import PdfReader

from tests.conftest import ON_POSTGRES
from tests.test_pdf_samples import sample_pdfs  # noqa: F401  (the fixture: one sample PDF of every kind)

pdfplumber = pytest.importorskip("pdfplumber")

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="backend-independent: the PDF is read from its file")

MM = 72 / 25.4
LEFT, RIGHT, TOP, BOTTOM = 28, 28 + 156, 37, 37 + 225  # the type area (版心), mm from the page's top left
CLOSING = set("，。、；：！？》）」』”’〕】")  # set half wide at a line's end: their ink is in the left half
FOOTER = re.compile(r"—\d+—")


def _mm(value: float) -> float:
    return value / MM


def _right(char: dict) -> float:
    """Where a character's ink ends: a closing mark's box counts its full advance though it is set half wide."""
    return _mm(char["x1"] - (char["size"] / 2 if char["text"] in CLOSING else 0))


def test_every_kind_keeps_the_gbt_9704_page_and_type_area_sqlite_only(sample_pdfs):  # noqa: F811
    for kind, path in sample_pdfs.items():
        lefts = []
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                assert abs(_mm(page.width) - 210) < 1 and abs(_mm(page.height) - 297) < 1, f"{kind}: not A4"
                inside = [c for c in page.chars if _mm(c["top"]) < BOTTOM + 1 and c["text"].strip()]
                footer = [c for c in page.chars if _mm(c["top"]) >= BOTTOM + 1 and c["text"].strip()]
                where = f"{kind} page {number}"
                lefts.append(min(_mm(c["x0"]) for c in inside))
                assert lefts[-1] >= LEFT - 1, where
                assert max(_right(c) for c in inside) <= RIGHT + 1, where
                assert min(_mm(c["top"]) for c in inside) >= TOP - 1, where
                assert max(_mm(c["bottom"]) for c in inside) <= BOTTOM + 1, where
                # the page number: "— N —" in 4号 (14 pt), 7 mm below the type area, outside, one character in
                assert "".join(c["text"] for c in footer).replace(" ", "") == f"—{number}—", where
                assert {round(c["size"], 1) for c in footer} == {14.0}, where
                assert min(_mm(c["top"]) for c in footer) == pytest.approx(BOTTOM + 7, abs=1), where
                edge = max(_mm(c["x1"]) for c in footer) if number % 2 else min(_mm(c["x0"]) for c in footer)
                assert edge == pytest.approx(RIGHT - 14 / MM if number % 2 else LEFT + 14 / MM, abs=1), where
        assert min(lefts) == pytest.approx(LEFT, abs=1), f"{kind}: no text at the left edge of the 版心"


def test_every_kind_has_its_red_mark_title_and_body_in_their_sizes_sqlite_only(sample_pdfs):  # noqa: F811
    for kind, path in sample_pdfs.items():
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            red = [c for c in page.chars if c["non_stroking_color"] == (0.8, 0.0, 0.0)]
            assert "".join(c["text"] for c in red) == "南岸区人民政府教育督导室", kind
            assert min(_mm(c["top"]) for c in red) == pytest.approx(TOP + 35, abs=1), kind  # 35 mm into the 版心
            [rule] = [line for line in page.lines if line["stroking_color"] == (0.8, 0.0, 0.0)]
            assert _mm(rule["x0"]) == pytest.approx(LEFT, abs=1) and _mm(rule["x1"]) == pytest.approx(RIGHT, abs=1)
            sizes = {round(c["size"], 1) for c in page.chars if "Bold" in c["fontname"] and c not in red}
            assert sizes == {22.0}, f"{kind}: the title is 2号 (22 pt), not {sizes}"
            body = [c for c in page.chars if round(c["size"], 1) == 16.0]
            assert len(body) > 20, f"{kind}: no 3号 (16 pt) body"
            fonts = {c["fontname"].split("+")[-1] for c in body}  # derived from Noto Serif / Sans CJK
            assert "DudaoSerif-Regular" in fonts and fonts <= {"DudaoSerif-Regular", "DudaoSans-Regular"}, fonts


def test_body_lines_start_at_the_edge_or_two_characters_in_and_fill_the_type_area_sqlite_only(sample_pdfs):  # noqa: F811
    """Lines of 3号 text in a justified paragraph start at the left edge of the 版心, or two characters in
    (a paragraph's first line), and full ones end at its right edge."""
    with pdfplumber.open(sample_pdfs["report"]) as pdf:
        lines: dict[int, list[dict]] = {}
        for c in pdf.pages[0].chars:
            if round(c["size"], 1) == 16.0 and c["text"].strip() and "Bold" not in c["fontname"]:
                lines.setdefault(round(c["top"]), []).append(c)
    body = [sorted(chars, key=lambda c: c["x0"]) for top, chars in sorted(lines.items())][2:]  # after 发文字号
    starts = [_mm(chars[0]["x0"]) for chars in body]
    assert all(min(abs(x - LEFT), abs(x - LEFT - 32 / MM)) < 1 for x in starts), starts
    ends = [_right(chars[-1]) for chars in body]
    assert max(ends) == pytest.approx(RIGHT, abs=1)
    assert sum(abs(x - RIGHT) < 1 for x in ends) >= 5  # full lines reach the right edge


def _html_text(path) -> str:
    from tasks.documents.typesetting import parse, text_of

    return text_of(parse(path.read_text(encoding="utf-8")))


def _pdf_text(path) -> str:
    """What the PDF says, whitespace dropped, the page numbers (which the HTML has not) taken out."""
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    return FOOTER.sub("", re.sub(r"\s+", "", text))


def test_each_kinds_pdf_says_what_its_html_says_sqlite_only(sample_pdfs):  # noqa: F811
    for kind, path in sample_pdfs.items():
        html, pdf = _html_text(path.with_suffix(".html")), _pdf_text(path)
        assert len(html) > 100 and pdf == html, kind


def test_the_pdf_is_pdfa_with_its_number_date_and_key_sqlite_only(sample_pdfs):  # noqa: F811
    reader = PdfReader(sample_pdfs["report"])
    info = reader.metadata
    assert info["/Title"] == "督导报告" and info["/Author"] == "南岸区人民政府教育督导室"
    number = re.search(r"南岸督报〔2026〕\d+号", info["/Subject"]).group(0)
    assert info["/Keywords"].startswith(number) and "inspection:2026-ZH-001:report" in info["/Keywords"]
    assert info["/CreationDate"].startswith("D:2026")
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part[^0-9]*2", raw) and re.search(r"pdfaid:conformance[^A-Z]*B", raw)
