"""The district's name comes from the district file: a year of another district (江北区) names it in every
发文字号, letterhead, title, e-mail and page, and never 南岸; what the file may leave out; what it may not say."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from core.db import get_engine, session_scope
from core.errors import InputError
from core.paths import REPO_ROOT
from models import District, Unit
from rules.runtime import load_runtime
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue_many
from tasks.exchange.district_file import read_district_file
from tasks.mail.delivery import deliver_batch_to_maildir
from tests.conftest import REPO, run_cli
from tests.district_support import AUTHORITY, SENDER, documents, jiangbei_file, messages
from tests.publication_world import plan, rectify, release_and_publish, visit_and_issue

DOC_NO = re.compile(r"^江北督\w*〔2026〕\d+号$")
D = date.fromisoformat


def _assert_named_jiangbei(docs: list[tuple[str, str, str, str]]) -> None:
    for kind, title, html, text in docs:
        authority, doc_no = text.splitlines()[:2]
        assert authority == AUTHORITY and DOC_NO.match(doc_no), (kind, authority, doc_no)
        assert f'<p class="authority">{AUTHORITY}</p>' in html and doc_no in html, kind
        assert "南岸" not in title + html + text, (kind, title)


def test_a_year_of_another_district_names_it_in_every_document_and_message(jiangbei):
    from flows.simulate_year import simulate_days, start_or_resume
    from tasks.cycle.special_emergency import EmergencyInspectionInput, start_emergency
    from tasks.year_end.report import issue_year_end

    rt = load_runtime()
    simulate_days.fn(2026, start_or_resume(2026, 2026), D("2026-12-31"))
    with session_scope() as session:
        start_emergency(session, EmergencyInspectionInput(unit="S001", reason="校舍局部坍塌"), rt, D("2026-12-07"))
        issue_year_end(session, 2026, D("2026-12-31"), rt)
    deliver_batch_to_maildir(D("2026-12-31"))
    docs = documents(jiangbei)
    _assert_named_jiangbei(docs)
    assert {"notice", "feedback", "report", "opinion", "escalation", "reminder", "urge", "interview",
            "interview_record", "circular", "accountability", "review_receipt", "review_decision",
            "routine_shortfall", "term_reminder", "training_shortfall", "emergency_report", "annual_report",
            "upward_report", "commendation"} <= {kind for kind, *_ in docs}
    titles = {kind: title for kind, title, *_ in docs}
    assert titles["annual_report"] == "江北区2026年度教育督导工作报告"
    assert titles["upward_report"] == "关于江北区2026年度教育督导工作情况的报告"
    emergency = next(text for kind, _, _, text in docs if kind == "emergency_report")
    assert "重庆市人民政府教育督导室，中共江北区委、江北区人民政府：" in emergency  # its addressees' names
    sent = messages(jiangbei)
    assert len(sent) == len(docs)
    assert all(sender == SENDER and "南岸" not in seen for sender, seen in sent)


def test_the_plan_and_its_public_draw_name_the_district(jiangbei):
    from flows.annual_plan import draw_up_plan, plan_markdown
    from rules.selection import seed_from_text

    result = draw_up_plan(2026, D("2026-01-05"))
    assert result["plan"]["district"] == "江北区"
    assert result["plan"]["seed"] == seed_from_text("江北区2026年度教育督导双随机抽取")
    assert "“江北区2026年度教育督导双随机抽取”" in result["plan"]["seed_source"]
    assert plan_markdown(result).startswith("# 江北区2026年度教育督导工作计划\n")
    [(kind, title, html, text)] = documents(jiangbei)
    assert (kind, title, text.splitlines()[1]) == ("plan", "江北区2026年度教育督导工作计划", "江北督计〔2026〕1号")
    _assert_named_jiangbei([(kind, title, html, text)])
    assert "重庆市人民政府教育督导室：" in text  # the municipal office, by its name in the ledger


def test_the_public_site_names_the_district(jiangbei, tmp_path):
    from tasks.publication.site import build_site

    rt = load_runtime()
    with session_scope() as session:
        shown = plan(session, "S001", "2026-ZH-001", D("2026-04-14"))
        issued = visit_and_issue(session, rt, shown, [("学校管理", "安全台账不全")])
        rectify(session, rt, shown, "已整改", issued + timedelta(days=10))
        release_and_publish(session, rt, shown, D("2026-06-10"))
        build_site(session, tmp_path / "site", D("2026-12-31"), [])
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.*") if p.suffix != ".pdf")
    assert "· 江北区教育督导报告公开</title>" in pages and "<p class=\"doc-no\">江北督报〔2026〕1号</p>" in pages
    assert AUTHORITY in pages and "南岸" not in pages


def test_the_district_is_read_once_per_session_however_many_documents_it_files(jiangbei):
    reads = []
    listen = lambda *args: reads.append(1) if 'FROM district' in args[2] else None  # noqa: E731
    event.listen(get_engine(), "before_cursor_execute", listen)
    try:
        with session_scope() as session:
            office = session.exec(select(Unit).where(Unit.code == "OFFICE")).one()
            papers = [Paper(key=f"test:{n}", kind="training_shortfall", issued_on=D("2026-12-01"), unit=office,
                            title="督学培训学时不足提示", context={"rows": [], "year": 2026, "required": 24,
                                                          "doc_no": doc_no("training_shortfall", 2026, n)})
                      for n in range(1, 41)]
            assert None not in issue_many(session, papers)
    finally:
        event.remove(get_engine(), "before_cursor_execute", listen)
    assert len(reads) == 1
    assert [text.splitlines()[1] for *_, text in documents(jiangbei)] == [f"江北督训〔2026〕{n}号" for n in range(1, 41)]


@pytest.mark.parametrize("lines, expected", [
    ('district = "江北区"', ("江北区", "江北", "江北区人民政府教育督导室")),
    ('district = "巫山县"', ("巫山县", "巫山", "巫山县人民政府教育督导室")),
    ('district = "示例市"', ("示例市", "示例市", "示例市人民政府教育督导室")),  # neither 区 nor 县: kept whole
    ('district = "两江新区"\nshort_name = "两江"\nauthority = "两江新区教育督导室"',
     ("两江新区", "两江", "两江新区教育督导室")),
])
def test_what_the_file_leaves_out_is_derived_from_the_name(tmp_path, lines, expected):
    path = tmp_path / "district.toml"
    path.write_text(f"schema_version = 1\n{lines}\nunits = []\n", encoding="utf-8")
    row = read_district_file(path).identity()
    assert (row.name, row.short_name, row.authority) == expected


def test_the_sample_file_names_its_district_as_the_code_used_to():
    row = read_district_file(REPO / "data" / "nanan.toml").identity()
    assert (row.name, row.short_name, row.authority) == ("南岸区", "南岸", "南岸区人民政府教育督导室")


@pytest.mark.parametrize("line, key", [
    ('district = "区"', "district"),
    ('district = "江北 区"', "district"),
    ('district = "江北区"\nshort_name = ""', "short_name"),
    ('district = "江北区"\nshort_name = "江北\\n督"', "short_name"),
    ('district = "江北区"\nauthority = "江北区人民政府　教育督导室"', "authority"),  # an ideographic space
    ('district = "江北区"\nauthority = 5', "authority"),
    ('district = "江北区"\nshort_name = "江北区的一个非常非常非常非常非常非常长的简称"', "short_name"),
])
def test_a_bad_name_is_refused_naming_the_file_and_the_key(tmp_path, line, key):
    path = tmp_path / "district.toml"
    path.write_text(f"schema_version = 1\n{line}\nunits = []\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_district_file(path)
    assert str(refused.value).startswith(f"{path}：{key}：")  # the messages are Chinese, full-width colons


def test_seed_refuses_a_bad_name_and_writes_nothing_then_writes_the_file_s_identity(ledger, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(jiangbei_file(tmp_path).read_text(encoding="utf-8").replace(
        'district = "江北区"', 'district = "江北区"\nshort_name = "江 北"'), encoding="utf-8")
    refused = run_cli("seed", "--file", str(bad))
    assert refused.returncode == 2 and f"{bad}：short_name：" in refused.stderr
    with session_scope() as session:
        assert session.exec(select(District)).all() == [] and session.exec(select(Unit)).first() is None
    assert run_cli("seed").returncode == 0  # the sample file: 南岸区, then another file over it
    assert run_cli("seed", "--file", str(jiangbei_file(tmp_path))).returncode == 0
    with session_scope() as session:
        assert [(d.id, d.name, d.short_name, d.authority) for d in session.exec(select(District)).all()] == [
            (1, "江北区", "江北", AUTHORITY)]


def test_a_roster_import_leaves_the_district_as_the_seed_named_it(jiangbei, tmp_path):
    from tasks.exchange.imports import run_import
    from tests.exchange_support import AS_OF, template_rows, write_csv

    rows = {"units": ["S061", "江北实验学校（示例）", "学校", "初中", "公办", "1200", "D06", "T02", "s061@example.cn",
                      "", "陈静", "2026/9/1", "2029/8/31"],
            "inspectors": ["I033", "周立（示例）", "i033@example.cn", "是", "否", "S061", "2026/9/1", "2029/8/31", ""]}
    for kind, row in rows.items():
        path = write_csv(tmp_path / f"{kind}.csv", [*template_rows(kind, [], tmp_path), row])
        assert run_import(kind, path, as_of=AS_OF)[kind] == 1
    with session_scope() as session:
        assert [(d.name, d.short_name, d.authority) for d in session.exec(select(District)).all()] == [
            ("江北区", "江北", AUTHORITY)]


def test_no_code_or_template_names_a_district():
    packages = ["core", "models", "rules", "tasks", "flows", "deployments", "portal", "dudao"]
    files = [p for d in packages for p in (REPO / d).rglob("*.py")] + list((REPO_ROOT / "templates").rglob("*.*"))
    assert len(files) > 100
    assert [str(p.relative_to(REPO)) for p in files if "南岸" in p.read_text(encoding="utf-8")] == []
