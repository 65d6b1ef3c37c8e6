"""Every document kind's sample PDF seen as a person sees it: page 1 rendered by poppler (pdftoppm) is not
blank, carries the red 发文机关标志, and its Chinese is drawn as distinct glyphs — a missing CJK font would
draw every character as the same empty box (tofu), which text extraction alone does not notice. The year-end
report's charts are images inside the PDF. Page images: test-output/pdf/."""

import re
import subprocess
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from core.db import session_scope
from models import Document
from tasks.documents import pdf
from tasks.year_end.report import issue_year_end
from tests.publication_world import plan, rectify, release_and_publish, visit_and_issue
from tests.test_year_end import AS_OF, D
from tests.ui_stack import OUTPUT

AUTHORITY = "南岸区人民政府教育督导室"
DPI = 100
SHOTS = OUTPUT / "pdf"


def _poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def sample_pdfs(seeded, runtime):
    """A small year (a school rectified and published, a department with an open item), its year-end
    documents, and the sample PDF of each document kind issued."""
    with session_scope() as session:
        good = plan(session, "S001", "2026-ZH-001", D("2026-04-14"))
        issued = visit_and_issue(session, runtime, good, [("学校管理", "晨检记录不全")])
        rectify(session, runtime, good, "已补全晨检记录", issued + timedelta(days=5))
        release_and_publish(session, runtime, good, issued + timedelta(days=6))
        slow = plan(session, "D01", "2026-ZH-002", D("2026-04-15"))
        visit_and_issue(session, runtime, slow, [("组织领导", "教育督导联席会议未按期召开")])
    with session_scope() as session:
        issue_year_end(session, 2026, AS_OF, runtime)
    with session_scope() as session:
        documents = pdf.sample_documents(session, 2026, seeded.out_dir)
        session.expunge_all()
    run = pdf.write_samples(documents, seeded.out_dir)
    return {path.stem: path for path in run.paths}


def _page_one(path, tmp_path) -> Image.Image:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / path.stem)],
                   check=True)
    image = Image.open(next(tmp_path.glob(f"{path.stem}*.png"))).convert("RGB")
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / f"{path.stem}-1.png")
    return image


def _glyphs(image: Image.Image, path, word: str) -> list[Image.Image]:
    """The characters of `word` as drawn on page 1: its box from pdftotext -bbox, cut into equal cells."""
    boxes = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">' + word + "</word>",
                       _poppler("pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"))
    assert boxes, f"{path.name}: {word} not found on page 1"
    x0, y0, x1, y1 = (float(v) * DPI / 72 for v in boxes[0])
    step = (x1 - x0) / len(word)
    return [image.crop((round(x0 + n * step), round(y0), round(x0 + (n + 1) * step), round(y1))).convert("L")
            for n in range(len(word))]


def _shape(glyph: Image.Image) -> list[bool]:
    """A glyph cut to its ink and scaled to 16 x 16 black-and-white: the same character looks the same
    wherever it falls on the pixel grid."""
    ink = glyph.point(lambda v: 255 if v < 160 else 0)
    box = ink.getbbox() or (0, 0, glyph.width, glyph.height)
    return [v > 127 for v in ink.crop(box).resize((16, 16)).tobytes()]


def _same(a: Image.Image, b: Image.Image) -> bool:
    """Alike to within 8% of the cells (distinct characters differ in far more; the same one in a few)."""
    return sum(x != y for x, y in zip(_shape(a), _shape(b), strict=True)) < 0.08 * 256


def test_every_kind_renders_visible_chinese_not_tofu_sqlite_only(sample_pdfs, tmp_path):
    assert {"notice", "feedback", "report", "opinion", "annual_report", "upward_report",
            "commendation"} <= set(sample_pdfs)
    for kind, path in sample_pdfs.items():
        image = _page_one(path, tmp_path)
        width, height = image.size
        gray = image.convert("L")
        dark = sum(gray.histogram()[:100])
        assert dark > 0.004 * width * height, f"{kind}: page 1 is (nearly) blank"
        rgb = image.tobytes()
        red = sum(1 for r, g, b in zip(rgb[0::3], rgb[1::3], rgb[2::3], strict=True) if r > 150 and g < 90 and b < 90)
        assert red > 0.001 * width * height, f"{kind}: no red authority mark"
        glyphs = _glyphs(image, path, AUTHORITY)
        inked = [g for g in glyphs if g.getextrema()[0] < 128]
        assert len(inked) == len(AUTHORITY), f"{kind}: some characters of the authority mark are not drawn"
        assert _distinct(glyphs) == len(AUTHORITY), f"{kind}: characters drawn alike (tofu?)"
        fonts = _poppler("pdffonts", str(path)).splitlines()[2:]
        # every font embedded, and each one derived from Noto CJK (or Noto CJK itself, for a rare character)
        assert fonts and all(" yes " in line and re.search(r"Dudao(Serif|Sans)|CJK", line) for line in fonts), \
            f"{kind}: {fonts}"


def _distinct(glyphs: list[Image.Image]) -> int:
    return len([g for n, g in enumerate(glyphs) if not any(_same(g, h) for h in glyphs[:n])])


def test_the_tofu_check_catches_boxes_sqlite_only(tmp_path, ledger):
    """Twelve empty boxes where the twelve characters should be: drawn alike, so the check above would fail."""
    boxes = "\u25a1" * len(AUTHORITY)  # □, what a missing glyph looks like
    page = f'<html><body><p style="font: 30pt serif">{boxes}</p><p style="font: 30pt serif">{AUTHORITY}</p></body></html>'
    target = pdf.write_pdf(page, tmp_path / "tofu.pdf", "tofu", date(2026, 1, 5))
    image = _page_one(target, tmp_path)
    assert _distinct(_glyphs(image, target, boxes)) == 1
    assert _distinct(_glyphs(image, target, AUTHORITY)) == len(AUTHORITY)


def test_the_year_end_report_carries_its_charts_as_images_sqlite_only(sample_pdfs):
    listing = _poppler("pdfimages", "-list", str(sample_pdfs["annual_report"])).splitlines()[2:]
    images = [line.split() for line in listing if line.split()[2] == "image"]
    assert len(images) >= 5  # progress, findings by area, rectification, ladder, this year against last
    assert all(int(columns[3]) > 400 and int(columns[4]) > 150 for columns in images)
    text = re.sub(r"\s+", "", _poppler("pdftotext", str(sample_pdfs["annual_report"]), "-"))
    assert "与上年对比" in text and "整改事项进度" in text


def test_samples_are_filed_beside_their_html_sqlite_only(sample_pdfs, seeded):
    with session_scope() as session:
        kinds = set(session.exec(select(Document.kind)).all())
    assert set(sample_pdfs) == kinds
    for path in sample_pdfs.values():
        assert path.with_suffix(".html").is_file() and path.read_bytes().startswith(b"%PDF")


def test_a_long_table_repeats_its_header_and_never_leaves_it_alone_at_a_page_foot_sqlite_only(seeded, runtime):
    """A 督导意见书 of many items runs over pages: each page of the table starts with its header row, and no
    page ends with a header whose rows all went to the next page."""
    findings = [("课程教学", f"第{n}项问题：劳动教育、综合实践活动课时未按国家课程方案开足开齐，作业总量控制制度落实不够")
                for n in range(1, 13)]
    with session_scope() as session:
        inspection = plan(session, "S001", "2026-ZH-001", D("2026-04-14"))
        visit_and_issue(session, runtime, inspection, findings)
    with session_scope() as session:  # a document's files take their place when its transaction commits
        document = session.exec(select(Document).where(Document.key == "inspection:2026-ZH-001:opinion")).one()
        path = pdf.pdf_for(document, seeded.out_dir)
    pages = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(path))).group(1))
    assert pages >= 3
    rows_seen = []
    for number in range(1, pages + 1):
        text = re.sub(r"\s+", "", _poppler("pdftotext", "-f", str(number), "-l", str(number), str(path), "-"))
        rows = [int(n) for n in re.findall(r"第(\d+)项问题：劳动", text)]
        rows_seen += rows
        if "整改决定" in text.replace("整改决定如下", ""):  # the table's header row is on this page
            assert rows, f"page {number}: the table header stands alone"
        elif rows:
            raise AssertionError(f"page {number}: rows without the header row")
    assert sorted(set(rows_seen)) == list(range(1, 13))
