"""Personal data out of public text: marked student names, phone numbers, ID numbers. Pure, no I/O.

What the public site shows passes through `redact`:
- student names that inspectors or units marked as such, written 【学生：张三】, become 张某;
- 18-digit resident ID numbers (and the old 15-digit ones) become ［身份证号已隐去］;
- mobile numbers and landlines with an area code become ［电话已隐去］, except the numbers the office publishes
  on purpose (the listed inspectors' contact, 实施方案 §十八), which stay.
Numbers without an area code are left alone: sums of money and counts look the same.
"""

import re
from collections.abc import Iterable

STUDENT_NAME = re.compile(r"【\s*学生\s*[:：]\s*([^】\s]{1,20})\s*】")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])(?P<number>(?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2})(?![0-9])")
LANDLINE = re.compile(r"(?<![0-9])(?P<number>[（(]?0\d{2,3}[)）]?[-－\s]?[2-9]\d{2,3}[-\s]?\d{4})"
                      r"(?:\s*(?:转|-|ext\.?)\s*\d{1,5})?(?![0-9])")

ID_MARK = "［身份证号已隐去］"
PHONE_MARK = "［电话已隐去］"


def normalise_phone(number: str) -> str:
    """Digits only, without the country code: '023-6298 0001' and '02362980001' compare equal."""
    digits = re.sub(r"\D", "", number)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11 and digits[len(prefix)] == "1":
            return digits[len(prefix):]
    return digits


def pseudonym(name: str) -> str:
    """张三 -> 张某: the surname stays, the given name goes."""
    return f"{name[0]}某"


def redact(text: str, *, allowed_phones: Iterable[str] = ()) -> str:
    """The text with marked student names, ID numbers and unlisted phone numbers replaced."""
    allowed = {normalise_phone(p) for p in allowed_phones}

    def phone(match: re.Match) -> str:
        return match.group(0) if normalise_phone(match.group("number")) in allowed else PHONE_MARK

    text = STUDENT_NAME.sub(lambda m: pseudonym(m.group(1)), text)
    text = ID_NUMBER.sub(ID_MARK, text)  # before phones: an ID number contains 11-digit runs
    text = MOBILE.sub(phone, text)
    return LANDLINE.sub(phone, text)
