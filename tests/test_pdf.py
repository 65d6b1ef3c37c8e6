"""PDFs checked the way a person sees them: poppler renders page 1 and extracts the text; the picture must
show the red 发文机关标志 at the top, Chinese must be set in an embedded Noto CJK font (no empty boxes), and the
text must sit inside the GB/T 9704 版心 (A4, margins 37/26/35/28 mm)."""

import re
import subprocess
import sys
from datetime import date

import pytest
from PIL import Image
from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from models import Document
from tasks.documents import pdf, pdf_join
from tasks.documents.filing import drain_pdfs
from tests.conftest import run_cli
from tests.publication_world import plan, visit_and_issue

MM = 72 / 25.4  # points per millimetre
CLOSING = "，。、；：！？》）」』”’〕】"


def _poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def report_pdf(seeded, runtime):
    """The 督导报告 of one inspection, rendered to PDF."""
    with session_scope() as session:
        inspection = plan(session, "S001", "2026-ZH-001", date(2026, 4, 14))
        visit_and_issue(session, runtime, inspection, [("学校管理", "食堂从业人员健康证过期，晨检记录不全"),
                                                       ("课程教学", "劳动教育课时未开足")])
    drain_pdfs()  # the PDFs the workers set from the filed HTML, set before a test may remove an HTML
    with session_scope() as session:
        document = session.exec(select(Document).where(Document.key == "inspection:2026-ZH-001:report")).one()
        return pdf.pdf_for(document, seeded.out_dir)


def test_the_text_a_reader_sees(report_pdf):
    text = _poppler("pdftotext", "-layout", str(report_pdf), "-")
    flat = re.sub(r"\s+", "", text)
    assert "南岸区人民政府教育督导室" in flat and "督导报告" in flat
    assert "食堂从业人员健康证过期" in flat
    assert re.search(r"—\s*1\s*—", text)  # page number, GB/T 9704 style
    info = _poppler("pdfinfo", str(report_pdf))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)


def test_chinese_is_set_in_the_embedded_fonts_derived_from_noto_cjk(report_pdf):
    fonts = _poppler("pdffonts", str(report_pdf)).splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)  # every font embedded
    assert any("DudaoSerif-Regular" in line for line in fonts)  # the body: 仿宋 stands in
    assert not any(re.search(r"Noto", line) for line in fonts)  # every character found in the derived fonts


def test_a_character_the_derived_fonts_lack_is_drawn_from_noto_cjk(tmp_path):
    html = ('<html><head><title>关于张堃同志的通知</title></head><body><p class="authority">南岸区人民政府教育督导室</p>'
            '<h1 class="title">关于张堃同志的通知</h1><p>请张堃同志于十日内报送材料。</p></body></html>')
    target = pdf.write_pdf(html, tmp_path / "rare.pdf", "test:rare", date(2026, 5, 6))
    fonts = _poppler("pdffonts", str(target))
    assert "DudaoSerif-Regular" in fonts and re.search(r"NotoSerifCJK", fonts)  # 堃 is not in GB 2312
    assert "请张堃同志于十日内报送材料" in re.sub(r"\s+", "", _poppler("pdftotext", str(target), "-"))


def test_page_one_shows_a_red_authority_mark_at_the_top(report_pdf, tmp_path):
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(report_pdf), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    width, height = image.size
    pixels = image.load()
    red = [(x, y) for x in range(width) for y in range(height)
           if pixels[x, y][0] > 150 and pixels[x, y][1] < 90 and pixels[x, y][2] < 90]
    dark = sum(1 for x in range(width) for y in range(height) if sum(pixels[x, y]) < 300)
    assert dark > 0.005 * width * height  # not blank: the body text is there
    assert len(red) > 0.002 * width * height
    top = max(y for _, y in red)
    assert top < 0.4 * height  # the mark and the red rule are in the upper part of the page
    xs = [x for x, _ in red]
    assert abs((min(xs) + max(xs)) / 2 - width * (28 + 78) / 210) < 0.03 * width  # centred on the 版心


def test_text_stays_inside_the_type_area(report_pdf):
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                       _poppler("pdftotext", "-bbox", str(report_pdf), "-"))
    body = [(*map(float, w[:4]), w[4]) for w in words if float(w[3]) < 297 * MM - 35 * MM]  # no page numbers
    assert min(w[0] for w in body) >= 28 * MM - 1
    # A closing mark that ends a line is set half wide (its ink is in its left half), as Chinese typesetting
    # does; poppler's box still counts its full advance.
    assert max(w[2] - (8 if w[4][-1] in CLOSING else 0) for w in body) <= (210 - 26) * MM + 1
    assert min(w[1] for w in body) >= 37 * MM - 1


def test_pdf_command_renders_by_id_and_refuses_unknown_ids(report_pdf, seeded):
    with session_scope() as session:
        ids = [str(d.id) for d in session.exec(select(Document).order_by(Document.id)).all()]
    done = run_cli("pdf", *ids[:2])
    assert done.returncode == 0, done.stderr
    assert "2 PDF(s)" in done.stdout and "documents/s" in done.stdout
    missing = run_cli("pdf", "999999")
    assert missing.returncode == 2 and "台账中没有 id 为 999999 的文书" in missing.stderr


def test_samples_give_one_pdf_of_each_kind(report_pdf, seeded):
    with session_scope() as session:
        documents = pdf.sample_documents(session, 2026, seeded.out_dir)
        kinds = {d.kind for d in documents}
        session.expunge_all()
    run = pdf.write_samples(documents, seeded.out_dir)
    folder = seeded.out_dir / "samples"
    assert {p.stem for p in run.paths} == kinds >= {"notice", "feedback", "report", "opinion"}
    for kind in kinds:
        assert (folder / f"{kind}.pdf").read_bytes().startswith(b"%PDF")
        assert (folder / f"{kind}.html").is_file()


def test_a_document_whose_file_is_gone_is_a_clear_error(report_pdf, seeded):
    report_pdf.with_suffix(".html").unlink()
    with session_scope() as session:
        document = session.exec(select(Document).where(Document.key == "inspection:2026-ZH-001:report")).one()
        with pytest.raises(InputError, match="其 HTML 文件 .* 不存在"):
            pdf.pdf_for(document, seeded.out_dir)


def test_a_full_page_holds_22_lines_of_28_characters(ledger, tmp_path):
    from tasks.documents.rendering import environment

    page = environment().from_string(
        '{% extends "base.html" %}{% block content %}{% for _ in range(4) %}<p class="body">{{ text }}</p>'
        '{% endfor %}{% endblock %}').render(authority="南岸区人民政府教育督导室", doc_no="南岸督〔2026〕1号",
                                             title="版式", issued_on=date(2026, 1, 5), copy_to=[], text="督导" * 400)
    target = pdf.write_pdf(page, tmp_path / "grid.pdf", "grid", date(2026, 1, 5))
    words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>',
                       _poppler("pdftotext", "-bbox", "-f", "2", "-l", "2", str(target), "-"))
    lines: dict[int, int] = {}
    for top, word in words:
        if float(top) < (297 - 35) * MM:  # the page number sits below the type area
            lines[round(float(top))] = lines.get(round(float(top)), 0) + len(word)
    assert len(lines) == 22
    assert max(lines.values()) == 28  # a full line; indented first lines hold 26 after two blank characters


def test_a_very_large_document_is_set_in_a_process_of_its_own(tmp_path, monkeypatch):
    """Typst's memo cache never shrinks: a huge document set here would slow every later one tenfold."""
    html = ('<html><head><title>关于大表的通知</title></head><body><p class="authority">南岸区人民政府教育督导室</p>'
            '<h1 class="title">关于大表的通知</h1>' + "<p>第一段正文，说明督导安排。</p>" * 40 + "</body></html>")
    monkeypatch.setattr(pdf, "LARGE_HTML", len(html) - 1)

    def not_here(*_args):
        raise AssertionError("set in this process")

    monkeypatch.setattr(pdf, "_typeset_here", not_here)
    target = pdf.write_pdf(html, tmp_path / "large.pdf", "test:large", date(2026, 5, 6))
    text = re.sub(r"\s+", "", _poppler("pdftotext", str(target), "-"))
    assert "关于大表的通知" in text and text.count("第一段正文，说明督导安排。") == 40
    assert "test:large" in _poppler("pdfinfo", str(target))  # its metadata came through the child too


def test_a_typesetting_child_imports_neither_the_settings_nor_the_ledger():
    """A very long document is set in processes of their own, one a part (27 for a province's plan): such a
    process needs the layout, the fonts and Typst only. The settings (pydantic-settings) alone made its start
    0.55 s instead of 0.13."""
    from core.paths import REPO_ROOT

    probe = ("import sys; from datetime import date; from tasks.documents import pdf, typst_source; "
             "pdf._compile(typst_source.markup('<html><body><p class=\"body\">正文</p></body></html>', 'k', "
             "date(2026, 5, 6))); print(' '.join(sorted(m for m in ('pydantic_settings', 'sqlalchemy', 'sqlmodel', "
             "'prefect', 'core.settings') if m in sys.modules)) or 'none')")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert loaded.stdout.strip() == "none"


def test_parts_split_around_tables_and_never_leave_the_title_alone():
    """Two long tables in one document: no part holds the end of one and the start of the other beyond the
    length a part may reach (1.25 x CHARACTERS_A_PART), and the title opens a part that holds rows too."""
    from tasks.documents.typst_source import markup_parts

    def table(name: str, rows: int) -> str:
        cells = "".join(f"<tr><td>{n}</td><td>{name}第{n}号学校</td></tr>" for n in range(1, rows + 1))
        return f"<table><thead><tr><th>序号</th><th>单位</th></tr></thead>{cells}</table>"

    html = ('<html><head><title>关于两张表的通知</title></head><body><p class="authority">南岸区人民政府教育督导室</p>'
            f'<h1 class="title">关于两张表的通知</h1><p class="body">名单如下。</p>{table("甲", 70)}'
            f'<p class="body">另附名单。</p>{table("乙", 70)}</body></html>')
    bodies = markup_parts(html, "test:two", date(2026, 5, 6), 1000).bodies
    assert len(bodies) >= 3 and all(len(body) <= 1250 + 200 for body in bodies)
    assert "关于两张表的通知" in bodies[0] and "甲第1号学校" in bodies[0] and "甲第2号学校" in bodies[0]
    assert any("甲第70号学校" in body and "乙第1号学校" not in body for body in bodies)  # split between them
    assert "".join(bodies).count("号学校") == 140


def test_a_very_long_table_is_set_in_parts_joined_into_one_pdf(tmp_path, monkeypatch):
    """Typst keeps every page of a compile in memory (the province plan's 4,924 pages took 4.5 GB): past
    CHARACTERS_A_PART of a table's rows the child sets the document part by part, each of whole rows up to that
    length (so rows of longer text make parts of fewer rows), numbering the pages on, and joins the parts."""
    from tasks.documents.typst_source import markup_parts

    long_name = "（" + "督导责任区内的长名称学校" * 4 + "）"
    rows = "".join(f"<tr><td>{n}</td><td>第{n}号学校{long_name if n > 60 else ''}</td></tr>" for n in range(1, 121))
    html = ('<html><head><title>关于长表的通知</title></head><body><p class="authority">南岸区人民政府教育督导室</p>'
            '<h1 class="title">关于长表的通知</h1><p class="body">名单如下。</p>'
            f'<table><thead><tr><th>序号</th><th>单位</th></tr></thead>{rows}</table>'
            '<p class="body">以上名单完。</p></body></html>')
    whole = pdf.write_pdf(html, tmp_path / "whole.pdf", "test:long", date(2026, 5, 6))
    monkeypatch.setattr(pdf, "CHARACTERS_A_PART", 800)
    monkeypatch.setattr(pdf, "LARGE_HTML", len(html) - 1)
    parted = pdf.write_pdf(html, tmp_path / "parts.pdf", "test:long", date(2026, 5, 6))

    bodies = markup_parts(html, "test:long", date(2026, 5, 6), 800).bodies
    firsts = [int(re.search(r'\[#"(\d+)"\], \[#"第', body).group(1)) for body in bodies]
    sizes = [b - a for a, b in zip(firsts, firsts[1:] + [121], strict=True)]
    assert firsts[0] == 1 and sum(sizes) == 120 and len(bodies) >= 4
    assert max(sizes[-2:]) < min(sizes[:2])  # the long rows' parts hold fewer rows than the short rows'
    assert all(len(body) < 800 + 200 for body in bodies[1:-1])  # whole rows up to the length, each part

    from pypdf import PdfReader

    pages = [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(parted).pages]
    text = "".join(pages)
    assert all(f"第{n}号学校" in text for n in range(1, 121)) and text.endswith(f"以上名单完。—{len(pages)}—")
    assert [int(re.search(r"—(\d+)—$", page).group(1)) for page in pages] == list(range(1, len(pages) + 1))
    assert text.count("序号单位") == len(pages)  # the header on every page, the parts' first pages included
    # each part starts a page with its first row; set at once, the table runs on across those rows
    for first in firsts[1:]:
        assert [p for p in pages if p.startswith(f"序号单位{first}第{first}号学校")], f"no part starts at row {first}"
    seams = [first for first in firsts[1:] if any(re.sub(r"\s+", "", page.extract_text()).startswith(
        f"序号单位{first}第{first}号学校") for page in PdfReader(whole).pages)]
    assert len(seams) < len(firsts) - 1
    info = _poppler("pdfinfo", str(parted))
    assert "test:long" in info and "关于长表的通知" in info
    assert re.search(r"pdfaid:part[^0-9]*2", (PdfReader(parted).trailer["/Root"]["/Metadata"].get_data().decode()))


def test_a_parts_page_count_is_read_off_its_page_tree_and_any_other_pdf_with_pypdf(tmp_path):
    """The parent of a parted document numbers each part's pages on from the last part's count, read off the
    root of Typst's page tree (so pypdf's 32 MB import waits for the join); a PDF written otherwise (pypdf's
    own, keys in another order) is counted by pypdf. Both agree with pdfinfo."""
    from pypdf import PdfReader, PdfWriter

    rows = "".join(f"<tr><td>{n}</td><td>第{n}号学校</td></tr>" for n in range(1, 90))
    html = ('<html><body><p class="authority">南岸区人民政府教育督导室</p><h1 class="title">关于名单的通知</h1>'
            f'<table><thead><tr><th>序号</th><th>单位</th></tr></thead>{rows}</table></body></html>')
    several = pdf.write_pdf(html, tmp_path / "several.pdf", "test:count", date(2026, 5, 6)).read_bytes()
    one = pdf.write_pdf(html.replace(rows, ""), tmp_path / "one.pdf", "test:count", date(2026, 5, 6)).read_bytes()
    writer = PdfWriter()
    writer.append(PdfReader(tmp_path / "several.pdf"))
    writer.append(PdfReader(tmp_path / "one.pdf"))
    writer.write(tmp_path / "joined.pdf")
    joined = (tmp_path / "joined.pdf").read_bytes()

    def pdfinfo_pages(data: bytes) -> int:
        (tmp_path / "probe.pdf").write_bytes(data)
        return int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(tmp_path / "probe.pdf"))).group(1))

    tree = re.search(rb"/Type/Pages/Count \d+", several).group()  # the root's keys in another order, same length:
    reordered = several.replace(tree, tree[len(b"/Type/Pages"):] + b"/Type/Pages")  # the offsets still hold
    assert pdfinfo_pages(reordered) == pdfinfo_pages(several) > 2
    assert [len(pdf_join._PAGE_TREE.findall(data)) for data in (several, one, reordered)] == [1, 1, 0]  # Typst's: fast
    assert [pdf_join.page_count(data) for data in (several, one, joined, reordered)] == [
        pdfinfo_pages(several), 1, pdfinfo_pages(several) + 1, pdfinfo_pages(several)]
