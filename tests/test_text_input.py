"""The one rule for control characters in a text a person gives (rules.text_input), and the run forms that
apply it besides imports and the CLI (issue 20 item 13). Pure rules and models: no ledger, the backend cannot
matter."""

import pydantic
import pytest

from rules.text_input import control_character, control_problem
from tasks.cycle.special_emergency import EmergencyInspectionInput, SpecialInspectionInput


@pytest.mark.parametrize(("text", "multiline", "bad"), [
    ("花园路明德小学", False, None),
    ("花园路明德小学🏫", False, None),  # an emoji alone is a character, not a control
    ("一、已整改；\n二、\t已验收", True, None),
    ("一、已整改；\n二、已验收", False, "\n"),  # a name holds no line break
    ("南坪\x00小学", True, "\x00"), ("南坪\u200f小学", True, "\u200f"), ("南坪\u202e小学", False, "\u202e"),
    ("👨\u200d👩", False, "\u200d"), ("a\u2028b", True, "\u2028"), ("a\x1bb", True, "\x1b"), ("a\x7fb", True, "\x7f"),
])
def test_the_rule(text, multiline, bad):
    assert control_character(text, multiline) == bad
    assert (control_problem(text, multiline) is None) == (bad is None)


def test_the_run_forms_apply_the_same_rule():
    with pytest.raises(pydantic.ValidationError, match="突发事件情况含有控制字符 U\\+0000"):
        EmergencyInspectionInput(unit="S001", reason="午餐后\x00腹痛")
    with pytest.raises(pydantic.ValidationError, match="督导主题含有控制字符 U\\+200F"):
        SpecialInspectionInput(theme="校园\u200f安全", units=["S001"])
    assert EmergencyInspectionInput(unit="S001", reason="午餐后\n多名学生腹痛").reason == "午餐后\n多名学生腹痛"
