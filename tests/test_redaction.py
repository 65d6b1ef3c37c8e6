"""The redaction rule: marked student names, ID numbers and unlisted phone numbers leave public text."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.redaction import ID_MARK, PHONE_MARK, normalise_phone, redact

LISTED = ["023-6299 0101"]


@pytest.mark.parametrize(("text", "expected"), [
    ("学生【学生：王小明】反映作业多", "学生王某反映作业多"),
    ("【学生:欧阳娜娜】", "欧某"),
    ("家长身份证500108200801011234，", f"家长身份证{ID_MARK}，"),
    ("身份证号50010820080101123X。", f"身份证号{ID_MARK}。"),
    ("旧证500108800101123", ID_MARK.join(["旧证", ""])),
    ("班主任电话13812345678", f"班主任电话{PHONE_MARK}"),
    ("手机 +86 138 1234 5678", f"手机 {PHONE_MARK}"),
    ("校办(023)6299-0188转12", f"校办{PHONE_MARK}"),
    ("传真023-62990188", f"传真{PHONE_MARK}"),
    ("挂牌督学电话023-6299 0101，", "挂牌督学电话023-6299 0101，"),
    ("挂牌督学电话02362990101", "挂牌督学电话02362990101"),
    ("投入经费35000000元，学生1212人，2026年5月26日", "投入经费35000000元，学生1212人，2026年5月26日"),
    ("文号南岸督报〔2026〕70号", "文号南岸督报〔2026〕70号"),
])
def test_redact(text, expected):
    assert redact(text, allowed_phones=LISTED) == expected


def test_an_unlisted_number_of_the_same_office_is_still_redacted():
    assert redact("督学023-6299 0102", allowed_phones=LISTED) == f"督学{PHONE_MARK}"


def test_normalise_phone_drops_separators_and_the_country_code():
    assert normalise_phone("+86 138-1234-5678") == normalise_phone("13812345678") == "13812345678"
    assert normalise_phone("(023) 6299 0101") == "02362990101"


@given(st.text(alphabet="0123456789X-  学生电话：，", max_size=80))
def test_no_id_number_or_mobile_survives(text):
    out = redact(text)
    assert not re.search(r"(?<!\d)\d{17}[\dX](?![\dA-Za-z])", out)
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", out)


@given(st.text(max_size=60))
def test_redaction_is_idempotent(text):
    once = redact(text, allowed_phones=LISTED)
    assert redact(once, allowed_phones=LISTED) == once
