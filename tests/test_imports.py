"""Broken import files of every kind are refused whole: each problem names file, row, column and reason,
and nothing is written (every table an import could touch is counted before and after)."""

import time
import tracemalloc

import pytest

from tasks.exchange.imports import ImportRefused, run_import
from tasks.exchange.imports.reading import Limits
from tests.exchange_support import (
    AS_OF,
    counts,
    fill,
    make_scene,
    set_cell,
    template_rows,
    write_csv,
    write_xlsx,
)

KINDS = ["self-assessment", "findings", "rectification", "units", "inspectors"]
UNIT_HEADER = ["单位代码", "单位名称", "单位类别", "学段", "办学性质", "学生数", "上级单位代码", "所属镇街代码", "电子邮箱",
               "负责人", "校长姓名", "校长任期开始", "校长任期结束"]
INSPECTOR_HEADER = ["督学代码", "姓名", "电子邮箱", "专职", "挂牌督学", "工作单位代码", "聘期开始", "聘期结束", "连任届数"]


@pytest.fixture
def scene(seeded):
    return make_scene()


def valid_rows(kind: str, scene: dict, tmp) -> list[list]:
    """A correct file of `kind`, header first, as an official would fill it in."""
    if kind == "self-assessment":
        return fill(template_rows(kind, [scene["school"]], tmp), "得分", lambda r: str(float(r["分值"]) * 0.9))
    if kind == "findings":
        rows = fill(template_rows(kind, [scene["department"]], tmp), "得分", lambda r: r["分值"])
        return set_cell(rows, 2, "发现问题", "部门教育工作联系机制运行不够经常")
    if kind == "rectification":
        return fill(template_rows(kind, [scene["rectifying"]], tmp), "整改情况", lambda r: "已建立台账并完成整改")
    if kind == "units":
        return [list(UNIT_HEADER),
                ["S061", "南坪新城小学（示例）", "学校", "小学", "公办", "820", "D06", "T01", "s061@school.nanan.example.cn",
                 "", "李明", "2026-09-01", "2029-08-31"],
                ["T16", "新城街道（示例）", "镇街", "", "", "", "LEADERSHIP", "", "t16@nanan.example.cn", "王芳", "", "", ""]]
    return [list(INSPECTOR_HEADER),
            ["I033", "周立（示例）", "i033@dudao.nanan.example.cn", "否", "是", "S001", "2026-09-01", "2029-08-31", "1"]]


# (kind, what breaks, row, column, value, expected reason)
DEFECTS = [
    ("self-assessment", "wrong header", 1, "督导编号", "督导编码", "未知的列"),
    ("self-assessment", "bad number", 3, "得分", "八十", "“八十”不是数字"),
    ("self-assessment", "score above the points", 3, "得分", "9", "9 不在 0–3"),
    ("self-assessment", "unknown indicator", 4, "指标代码", "B99.1", "没有指标“B99.1”"),
    ("self-assessment", "unknown inspection", 2, "督导编号", "2026-ZH-999", "台账中没有督导“2026-ZH-999”"),
    ("self-assessment", "unit of another inspection", 2, "单位代码", "S002", "的被督导单位是 S001，不是 S002"),
    ("findings", "wrong header", 1, "得分", "分数", "缺少此列"),
    ("findings", "bad number", 5, "得分", "1O", "“1O”不是数字"),
    ("findings", "unknown indicator", 2, "指标代码", "C1.1", "没有指标“C1.1”"),
    ("findings", "bad severity", 2, "问题性质", "很严重", "不是一般、严重"),
    ("rectification", "wrong header", 1, "整改情况", "整改说明", "未知的列"),
    ("rectification", "bad number", 2, "问题序号", "第一", "“第一”不是数字"),
    ("rectification", "fraction", 3, "问题序号", "1.5", "“1.5”不是 0 或正整数"),
    ("rectification", "unknown problem", 3, "问题序号", "9", "没有第 9 项问题的整改事项"),
    ("rectification", "unknown inspection", 2, "督导编号", "2025-ZH-001", "台账中没有督导“2025-ZH-001”"),
    ("units", "wrong header", 1, "单位类别", "类别", "未知的列"),
    ("units", "bad number", 2, "学生数", "很多", "“很多”不是数字"),
    ("units", "unknown unit", 2, "上级单位代码", "D99", "文件和台账中都没有单位“D99”"),
    ("units", "bad e-mail", 3, "电子邮箱", "t16 at nanan", "不是电子邮箱地址"),
    ("units", "bad date", 2, "校长任期结束", "2029-02-30", "不是日期"),
    ("units", "name of another unit", 2, "单位名称", "南坪育才小学（示例）", "已是单位 S001 的名称"),
    ("inspectors", "wrong header", 1, "督学代码", "督学编号", "未知的列"),
    ("inspectors", "bad number", 2, "连任届数", "two", "不是数字"),
    ("inspectors", "unknown unit", 2, "工作单位代码", "S999", "台账中没有单位“S999”"),
    ("inspectors", "term order", 2, "聘期结束", "2026-08-31", "任期结束日期须晚于开始日期"),
]


@pytest.mark.parametrize(("kind", "defect", "row", "column", "value", "reason"), DEFECTS,
                         ids=[f"{d[0]}:{d[1]}" for d in DEFECTS])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_broken_file_is_refused_naming_file_row_column_and_reason(scene, tmp_path, fmt, kind, defect, row,
                                                                     column, value, reason):
    rows = valid_rows(kind, scene, tmp_path)
    rows = set_cell(rows, row, column, value)
    path = tmp_path / f"broken.{fmt}"
    (write_csv(path, rows, "gbk") if fmt == "csv" else write_xlsx(path, rows))
    before = counts()
    with pytest.raises(ImportRefused) as caught:
        run_import(kind, path, as_of=AS_OF)
    message = str(caught.value)
    assert message.startswith(f"broken.{fmt}：") and "未导入任何数据" in message.splitlines()[0]
    shown = value if reason == "未知的列" else column  # a renamed header is unknown under its new name
    line = next(line for line in message.splitlines()[1:] if reason in line)
    assert line.strip().startswith(f"broken.{fmt}：第 {row} 行，{shown} "), message
    assert counts() == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_correct_file_imports_in_every_encoding_offices_send(scene, tmp_path, kind, encoding):
    rows = valid_rows(kind, scene, tmp_path)
    path = write_csv(tmp_path / f"{kind}.csv", rows, encoding)
    before = counts()
    result = run_import(kind, path, as_of=AS_OF)
    assert result["encoding"] == {"gbk": "gb18030"}.get(encoding, encoding)
    assert result["rows"] == len(rows) - 1
    assert counts() != before


# Issue 20 item 13: a bad character in 单位名称 (B) was reported at 校长任期结束 (M); one rule for every text.
HOSTILE_TEXTS = [("right-to-left mark", "南坪\u200f新城小学", "U+200F"), ("NUL", "南坪\x00新城小学", "U+0000"),
                 ("emoji joined by ZWJ", "南坪👨\u200d👩\u200d👧小学", "U+200D"),
                 ("line separator", "南坪\u2028新城小学", "U+2028")]


@pytest.mark.parametrize(("what", "value", "character"), HOSTILE_TEXTS, ids=[t[0] for t in HOSTILE_TEXTS])
def test_a_control_character_in_a_unit_name_is_reported_at_its_own_column(scene, tmp_path, what, value, character):
    rows = set_cell(valid_rows("units", scene, tmp_path), 2, "单位名称", value)
    before = counts()
    with pytest.raises(ImportRefused) as caught:
        run_import("units", write_csv(tmp_path / "units.csv", rows), as_of=AS_OF)
    problems = str(caught.value).splitlines()[1:]
    assert len(problems) == 1 and "单位名称 (B)" in problems[0] and f"含有控制字符 {character}" in problems[0], problems
    assert counts() == before


@pytest.mark.parametrize(("what", "value", "character"), HOSTILE_TEXTS, ids=[t[0] for t in HOSTILE_TEXTS])
def test_the_same_characters_are_refused_in_a_rectification_text(scene, tmp_path, what, value, character):
    rows = fill(template_rows("rectification", [scene["rectifying"]], tmp_path), "整改情况", lambda r: value)
    before = counts()
    with pytest.raises(ImportRefused) as caught:
        run_import("rectification", write_csv(tmp_path / "reports.csv", rows), as_of=AS_OF)
    problems = str(caught.value).splitlines()[1:]
    assert problems and all("整改情况" in line and f"含有控制字符 {character}" in line for line in problems)
    assert counts() == before


def test_a_multi_line_rectification_text_is_taken(scene, tmp_path):
    """Line breaks and tabs belong in a report (not in a name): the rule refuses controls, not paragraphs."""
    rows = fill(template_rows("rectification", [scene["rectifying"]], tmp_path), "整改情况",
                lambda r: "一、已建立台账；\r\n二、\t已完成整改")
    assert run_import("rectification", write_csv(tmp_path / "reports.csv", rows), as_of=AS_OF)["rows"] >= 1


def test_every_bad_cell_is_listed_up_to_the_limit(scene, tmp_path):
    rows = valid_rows("self-assessment", scene, tmp_path)
    for number in range(2, len(rows) + 1):
        set_cell(rows, number, "得分", "x")
    path = write_csv(tmp_path / "all-bad.csv", rows)
    with pytest.raises(ImportRefused) as caught:
        run_import("self-assessment", path, as_of=AS_OF, limits=Limits(max_problems=10))
    lines = str(caught.value).splitlines()
    assert lines[0] == f"all-bad.csv：{len(rows) - 1} 处问题，未导入任何数据"
    assert len(lines) == 12 and lines[-1] == f"  …… 另有 {len(rows) - 11} 处问题"
    assert [line.split("，")[0].strip() for line in lines[1:4]] == ["all-bad.csv：第 2 行", "all-bad.csv：第 3 行",
                                                                   "all-bad.csv：第 4 行"]


def test_a_sheet_missing_items_is_refused(scene, tmp_path):
    rows = valid_rows("self-assessment", scene, tmp_path)
    del rows[5:9]
    before = counts()
    with pytest.raises(ImportRefused, match=r"第 2 行，指标代码 \(F\) 列：督导 2026-T-002：4 个考查要点没有得分"):
        run_import("self-assessment", write_csv(tmp_path / "short.csv", rows), as_of=AS_OF)
    assert counts() == before


def test_a_second_self_assessment_is_refused_by_the_lifecycle(scene, tmp_path):
    path = write_csv(tmp_path / "self.csv", valid_rows("self-assessment", scene, tmp_path))
    run_import("self-assessment", path, as_of=AS_OF)
    before = counts()
    with pytest.raises(ImportRefused, match="处于“self_assessment”阶段"):
        run_import("self-assessment", path, as_of=AS_OF)
    assert counts() == before


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "文件为空"),
    ("督导编号,指标代码,得分\n".encode(), "文件只有表头，没有数据行"),
    (b"\n\n\n", "第一行须为表头"),
    (b"\x81\x30\xff\xfe\x00garbage", "既不是 UTF-8 也不是 GBK/GB18030"),
    (b"PK\x03\x04 not really a zip", "不是可读取的 XLSX 工作簿"),
    (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), "旧的 Excel .xls 格式：请另存为 .xlsx 或 CSV"),
])
def test_empty_and_unreadable_files_are_refused(scene, tmp_path, content, reason):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    before = counts()
    with pytest.raises(ImportRefused, match=reason):
        run_import("self-assessment", path, as_of=AS_OF)
    assert counts() == before


def test_200k_rows_are_refused_fast_in_bounded_memory(scene, tmp_path):
    line = f"{scene['school']},S001,,,,B1.1,,,3,\n"
    path = tmp_path / "huge.csv"
    path.write_text("督导编号,单位代码,单位名称,重点内容,关键指标,指标代码,考查要点,分值,得分,说明\n" + line * 200_000,
                    encoding="utf-8")
    before = counts()
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match="数据超过 20000 行：请拆分文件"):
        run_import("self-assessment", path, as_of=AS_OF)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 3 and peak < 64 * 2**20, (elapsed, peak)
    assert counts() == before


def test_a_10mb_cell_is_refused_before_reading(scene, tmp_path):
    path = write_csv(tmp_path / "big-cell.csv", [["督导编号", "问题序号", "整改情况"],
                                                 [scene["rectifying"], "1", "整" * (10 * 2**20 // 3 + 1)]])
    before = counts()
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match=r"big-cell.csv：文件有 10.0 MB，一次最多导入 8 MB"):
        run_import("rectification", path, as_of=AS_OF)
    assert time.perf_counter() - started < 1 and counts() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_overlong_cell_names_its_row_and_column(scene, tmp_path, fmt):
    rows = [["督导编号", "问题序号", "整改情况"], [scene["rectifying"], "1", "好"], [scene["rectifying"], "2", "整" * 5000]]
    path = tmp_path / f"long.{fmt}"
    (write_csv(path, rows) if fmt == "csv" else write_xlsx(path, rows))
    before = counts()
    with pytest.raises(ImportRefused, match=r"第 3 行，整改情况 \(C\) 列：单元格有 5000 字，最多 4000 字"):
        run_import("rectification", path, as_of=AS_OF)
    assert counts() == before


def test_a_workbook_that_unpacks_too_far_is_refused_unopened(scene, tmp_path):
    rows = [["督导编号", "问题序号", "整改情况"]] + [[scene["rectifying"], "1", "同" * 3000]] * 2000
    path = write_xlsx(tmp_path / "bomb.xlsx", rows)
    assert path.stat().st_size < 2**20  # it compresses well: the size check alone would let it through
    with pytest.raises(ImportRefused, match=r"bomb.xlsx：工作簿解压后有 \d+ MB，最多可导入 4 MB"):
        run_import("rectification", path, as_of=AS_OF, limits=Limits(max_unpacked_bytes=4 * 2**20))


def _refused(kind: str, path, reason: str, limits: Limits | None = None) -> str:
    before = counts()
    with pytest.raises(ImportRefused) as caught:
        run_import(kind, path, as_of=AS_OF, **({"limits": limits} if limits else {}))
    assert reason in str(caught.value), str(caught.value)
    assert str(caught.value).startswith(f"{path.name}：")
    assert counts() == before
    return str(caught.value)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_empty_file_of_every_kind_is_refused(scene, tmp_path, kind, fmt):
    empty = tmp_path / f"empty.{fmt}"
    empty.write_bytes(b"")
    _refused(kind, empty, "文件为空")
    header = valid_rows(kind, scene, tmp_path)[:1]
    only_header = tmp_path / f"header-only.{fmt}"
    (write_csv(only_header, header, "gbk") if fmt == "csv" else write_xlsx(only_header, header))
    _refused(kind, only_header, "文件只有表头，没有数据行")
    blank = tmp_path / f"blank.{fmt}"
    (write_csv(blank, [[""], [""]]) if fmt == "csv" else write_xlsx(blank, [[None], [None]]))
    _refused(kind, blank, "第一行须为表头")


@pytest.mark.parametrize("kind", KINDS)
def test_a_gbk_file_with_a_byte_outside_gbk_is_refused_naming_its_line(scene, tmp_path, kind):
    rows = valid_rows(kind, scene, tmp_path)
    path = write_csv(tmp_path / "gbk.csv", rows, "gbk")
    lines = path.read_bytes().split(b"\r\n")
    lines[1] = lines[1] + b"\xff"  # a byte neither UTF-8 nor GB18030 can hold, at the end of line 2
    path.write_bytes(b"\r\n".join(lines))
    _refused(kind, path, "第 2 行：字节 0xff 既不是 UTF-8 也不是 GBK/GB18030 文本")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_huge_file_of_every_kind_is_refused(scene, tmp_path, kind, fmt):
    rows = valid_rows(kind, scene, tmp_path)
    limit = 20_000 if fmt == "csv" else 200  # XLSX: a lower limit, the same check, a file openpyxl writes fast
    huge = rows[:1] + [rows[1]] * (limit + 1)
    path = tmp_path / f"huge.{fmt}"
    (write_csv(path, huge, "gbk") if fmt == "csv" else write_xlsx(path, huge))
    _refused(kind, path, f"数据超过 {limit} 行：请拆分文件", Limits(max_rows=limit))
    if fmt == "csv":  # and one over the size limit, refused before it is read
        big = tmp_path / "big.csv"
        big.write_bytes(path.read_bytes() * (8 * 2**20 // path.stat().st_size + 1))
        _refused(kind, big, "MB，一次最多导入 8 MB：请拆分后导入")


@pytest.mark.parametrize("kind", KINDS)
def test_a_gbk_file_with_a_line_pasted_in_utf8_is_refused_not_imported_as_mojibake(scene, tmp_path, kind):
    rows = valid_rows(kind, scene, tmp_path)
    gbk = write_csv(tmp_path / "gbk.csv", rows, "gbk").read_bytes().split(b"\r\n")
    utf8 = write_csv(tmp_path / "utf8.csv", rows, "utf-8").read_bytes().split(b"\r\n")
    row = next(n for n in range(1, len(rows)) if not utf8[n].isascii())  # a data row with Chinese in it
    gbk[row] = utf8[row]  # GB18030 would read it as 宸插缓… and import that
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"\r\n".join(gbk))
    _refused(kind, mixed, f"第 {row + 1} 行是 UTF-8 文本，文件其余部分是 GBK/GB18030")


def test_gbk_text_is_never_taken_for_utf8():
    """Every GB2312 level-1 character pair in GBK (学校 is valid UTF-8 as ѧУ): none is read as a UTF-8 line."""
    from tasks.exchange.imports.reading import _utf8_line

    common = [bytes([a, b]) for a in range(0xB0, 0xD8) for b in range(0xA1, 0xFF) if (a, b) < (0xD7, 0xFA)]
    assert _utf8_line("学校".encode("gbk")) is None and "学校".encode("gbk").decode("utf-8") == "ѧУ"
    assert not [a + b for a in common[::7] for b in common[::11] if _utf8_line(b"S001," + a + b)]
    assert _utf8_line("S001,学校\n".encode("gbk") + "S002,学校".encode()) == 2
