"""A policy file with a negative period is refused naming the right line — for every number in the shipped
file, under headers with comments, in lists, dotted keys and inline tables."""

import re
from pathlib import Path

import pytest

from core.errors import InputError
from rules.policy import load_policy

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "policy.toml"
LINES = SHIPPED.read_text(encoding="utf-8").splitlines()
# Every period (a number of days or working days) in the shipped file.
NUMBERS = [(n, m.group(1)) for n, line in enumerate(LINES, start=1)
           if (m := re.match(r"(\w*(days|period)\w*)\s*=\s*\d+\s*(#|$)", line))]


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    return message.removeprefix(f"{path}:")


def test_the_shipped_file_has_numbers_to_check():
    assert len(NUMBERS) >= 15 and load_policy(SHIPPED).version


@pytest.mark.parametrize(("number", "key"), NUMBERS, ids=[key for _, key in NUMBERS])
def test_a_negative_number_names_its_own_line(tmp_path, number, key):
    lines = list(LINES)
    lines[number - 1] = f"{key} = -5   # made negative"
    message = _refusal(tmp_path, "\n".join(lines))
    assert message.split(":")[0] == str(number), message
    assert f".{key}:" in message or message.split(":")[1].strip() == key


POLICY_TAIL = 'version = "t"\n'


@pytest.mark.parametrize(("text", "line", "where"), [
    (POLICY_TAIL + "[ladder]   # 问责阶梯\nurge_workdays = -3\n", 3, "ladder.urge_workdays"),
    (POLICY_TAIL + "[ladder]\nreminder_workdays_before = [5, -1]\n", 3, "ladder.reminder_workdays_before"),
    (POLICY_TAIL + "[escalation]\nlevel_workdays = [\n  10,\n  -10,\n  15,\n]\n", 3, "escalation.level_workdays"),
    (POLICY_TAIL + "ladder.urge_workdays = -3\n", 2, "ladder.urge_workdays"),
    (POLICY_TAIL + "ladder = { urge_workdays = -3 }\n", 2, "ladder.urge_workdays"),
    (POLICY_TAIL + '[rectification]\nperiod_days = 30\n[ladder]\nperiod_days = 30\nurge_workdays=0\n', 6,
     "ladder.urge_workdays"),
    (POLICY_TAIL + "[ladder]\nurge_days = 15\n", 3, "ladder.urge_days"),  # a misspelt key
    ("[ladder]\nurge_workdays = 15\n", 1, "version"),  # missing: no line sets it
])
def test_the_line_is_named_wherever_the_key_is(tmp_path, text, line, where):
    message = _refusal(tmp_path, text)
    assert message.startswith(f"{line}: {where}:"), message
