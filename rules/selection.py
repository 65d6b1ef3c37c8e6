"""双随机 draws: random targets and random inspectors that anyone can repeat from the published seed.

The rule is deliberately simple enough to check by hand with any SHA-256 tool: each candidate's rank is the
hexadecimal SHA-256 digest of the UTF-8 text "seed:label:code"; the candidates with the smallest ranks are
drawn. The result depends only on the seed and the candidates' codes (the ledger's contents), never on the
order they are read in, the Python version or the time.
"""

import hashlib

ALGORITHM = ("每个候选对象的排序值为字符串“种子:类别:编码”（UTF-8）的SHA-256十六进制摘要，"
             "按排序值由小到大抽取所需数量；候选范围与编码均取自本计划编制之日的督导台账。")


class DrawTooSmall(ValueError):
    """Fewer candidates than the draw needs."""


def rank(seed: int, label: str, code: str) -> str:
    """The published rank of one candidate: smaller is drawn first."""
    return hashlib.sha256(f"{seed}:{label}:{code}".encode()).hexdigest()


def draw(seed: int, label: str, codes: list[str], count: int) -> list[str]:
    """The `count` codes of smallest rank, in rank order (all of them if there are fewer)."""
    return sorted(set(codes), key=lambda code: (rank(seed, label, code), code))[:max(count, 0)]


def draw_team(seed: int, target_code: str, eligible_codes: list[str], size: int) -> list[str]:
    """Random inspectors for one drawn target, from those allowed to inspect it (recusal applied before)."""
    if len(set(eligible_codes)) < size:
        raise DrawTooSmall(f"{target_code}: {len(set(eligible_codes))} eligible inspectors, {size} needed")
    return draw(seed, f"team:{target_code}", eligible_codes, size)


def seed_from_text(text: str) -> int:
    """A seed derived from a public value (e.g. '2027' or a lottery number), as a 12-digit number."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:15], 16) % 10**12
