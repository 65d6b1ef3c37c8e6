"""The whole Typst source of a filed document: the layout imported and applied, the document's metadata, then
its blocks (tasks/documents/typesetting.py) — at once, or in parts for a very large document."""

from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

from tasks.documents.typesetting import PART_BREAK, Node, blocks, first_node, literal, parse, words_of


class _Title(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "title"

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        self.text += data if self.inside else ""


# Each document's source begins so: the layout module, imported (parsed once per compiler), applied to the rest.
PREAMBLE = '#import "/gongwen.typ": *\n'
APPLY_LAYOUT = "#show: gongwen\n"


def metadata(tree: Node, title: str, key: str, issued_on: date) -> str:
    """`set document`: the title, the issuing authority, the 发文字号 (description and first keyword), the
    document's key (second keyword) and its date."""
    number = _doc_no_text(first_node(tree, "p", "doc-no"))
    return (f"#set document(title: {literal(title)}, author: {literal(words_of(first_node(tree, 'p', 'authority')))}, "
            f"description: {literal(number)}, keywords: ({literal(number)}, {literal(key)}), "
            f"date: datetime(year: {issued_on.year}, month: {issued_on.month}, day: {issued_on.day}))\n")


def _doc_no_text(node: Node | None) -> str:
    span = first_node(node, "span") if node else None
    return words_of(span or node)


def markup(html: str, key: str, issued_on: date) -> str:
    """The whole Typst source of a document: the layout, its metadata, then its blocks."""
    return markup_parts(html, key, issued_on, None).source(0, 1)


@dataclass(frozen=True)
class Parts:
    """A document's source in parts, each set on pages of its own (a very large document: Typst holds every page
    of a compile in memory, 4.5 GB for the 4,924 pages of a province's annual plan)."""

    head: str  # the layout and the document's metadata: the same at the top of every part
    bodies: list[str]

    def source(self, index: int, first_page: int) -> str:
        """The Typst source of one part, its pages numbered on from `first_page`."""
        counter = f"#counter(page).update({first_page})\n" if first_page > 1 else ""
        return self.head + counter + self.bodies[index]


def markup_parts(html: str, key: str, issued_on: date, characters_a_part: int | None) -> Parts:
    """The document in parts of about `characters_a_part` of markup (None: one part), split only around a table
    or between a long table's chunks: the blocks between two such places stay together. A part is closed only
    once it holds a quarter of that, so a title and its opening paragraphs are not set alone on a page before
    the table they open, nor a table's last rows alone: a part may reach one and a quarter times the length."""
    heading = _Title()
    heading.feed(html[:html.find("</title>") + 8] if "</title>" in html else "")
    tree = parse(html)
    head = PREAMBLE + metadata(tree, " ".join(heading.text.split()).strip(), key, issued_on) + APPLY_LAYOUT
    bodies, current, length = [], [], 0
    for segment in _segments(blocks(tree, characters_a_part)):
        size = sum(len(block) + 1 for block in segment)
        if characters_a_part is not None and length > characters_a_part / 4 and length + size > characters_a_part:
            bodies.append("\n".join(current) + "\n")
            current, length = [], 0
        current.extend(segment)
        length += size
    bodies.append("\n".join(current) + "\n")
    return Parts(head, bodies)


def _segments(found: list[str | None]) -> list[list[str]]:
    """The blocks between two PART_BREAKs, each run of them a segment (empty runs dropped)."""
    segments: list[list[str]] = [[]]
    for block in found:
        if block is PART_BREAK:
            segments.append([])
        else:
            segments[-1].append(block)
    return [segment for segment in segments if segment]
