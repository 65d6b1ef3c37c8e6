"""The district in its documents: its name, the short name that opens every 发文字号, and the issuing authority.

Read from the ledger (table `district`, written by `dudao seed`) once per session and given to every document
rendered in it: a sweep renders thousands of documents in one transaction, a province year hundreds of thousands.
"""

from dataclasses import dataclass

from sqlmodel import Session

from models import District

# What follows the district's short name in a 发文字号, by document kind: 江北 + 督通 = 江北督通〔2026〕12号.
DOC_PREFIX = {"notice": "督通", "feedback": "督反", "report": "督报", "opinion": "督意", "reminder": "督提",
              "urge": "督办", "interview": "督约", "interview_record": "督约记", "circular": "督通报",
              "accountability": "督问", "escalation": "督议", "review_receipt": "督复", "review_decision": "督复决",
              "review_due": "督复", "plan": "督计", "emergency_report": "督急", "routine_shortfall": "督挂",
              "term_reminder": "督聘", "training_shortfall": "督训", "annual_report": "督年",
              "upward_report": "督文", "commendation": "督荐",
              "self_evaluation_report": "督自评", "self_evaluation_reminder": "督自提", "self_evaluation_urge": "督自办"}
DEFAULT_PREFIX = "督"
_CACHE = "dudao.letterhead"  # session.info: the session's Letterhead


@dataclass(frozen=True)
class DocNo:
    """A 发文字号 before its district is put in front: the kind, year and number a document's context is made
    with, written out when the document is rendered (`Letterhead.doc_no`), so that making a context needs no
    read of the ledger."""

    kind: str
    year: int
    number: int

    def __str__(self) -> str:
        # Written out without the district it would be a wrong 发文字号 on an official document: refuse.
        raise TypeError(f"{self!r}: a 发文字号 is written out by Letterhead.doc_no, with the district's short name")


@dataclass(frozen=True)
class Letterhead:
    """How the district names itself: 江北区, 江北 (发文字号), 江北区人民政府教育督导室 (authority)."""

    name: str
    short_name: str
    authority: str

    @classmethod
    def of(cls, row: District) -> "Letterhead":
        return cls(row.name, row.short_name, row.authority)

    def doc_no(self, value: DocNo | str) -> str:
        """The 发文字号 written out (江北督办〔2026〕12号); a string is one already written, kept as it is."""
        if not isinstance(value, DocNo):
            return value
        return f"{self.short_name}{DOC_PREFIX.get(value.kind, DEFAULT_PREFIX)}〔{value.year}〕{value.number}号"


def letterhead(session: Session) -> Letterhead:
    """The district's letterhead, read once per session; LookupError before `dudao seed` has named the district."""
    if _CACHE not in session.info:
        row = session.get(District, 1)
        if row is None:
            raise LookupError("the ledger does not name its district: run `dudao seed` first")
        session.info[_CACHE] = Letterhead.of(row)
    return session.info[_CACHE]
