"""A filed document's HTML as Typst markup in the 公文 layout (templates/print/gongwen.typ).

The HTML rendered from templates/documents/ is the one source of each document's content: this module only
walks its few elements (the letterhead, title, paragraphs, headings, tables, charts, signature and 版记) and
says how each is set in print. Every piece of text becomes a Typst string literal, so no character a unit or
an inspector typed (#, $, *, _, `, <, @, [, ], \\, //, quotes) is ever read as markup.
"""

import base64
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from core.paths import REPO_ROOT

_SPACE = re.compile(r"\s+")
_VOID = {"br", "hr", "img", "meta", "link"}
_SKIP = {"head", "style", "script", "title"}


@dataclass
class Node:
    tag: str
    classes: tuple[str, ...] = ()
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)  # Node or str


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        node = Node(tag, tuple((values.get("class") or "").split()), values)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if not any(node.tag in _SKIP for node in self.stack):
            self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def literal(text: str) -> str:
    """A Typst string literal: only the backslash and the double quote need escaping inside one."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def inline(node: Node) -> str:
    """A block's text as Typst content: string literals, line breaks; HTML whitespace collapsed."""
    parts: list[str] = []
    _inline(node, parts)
    text = "".join(parts)
    return "[" + text + "]"


def _inline(node: Node, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            collapsed = _SPACE.sub(" ", child)
            if collapsed.strip() or (parts and collapsed):
                parts.append("#" + literal(collapsed))
        elif child.tag == "br":
            parts.append("#linebreak()")
        else:
            _inline(child, parts)


def text_of(node: Node) -> str:
    """What a reader sees of a node, whitespace dropped (the comparison of HTML and PDF, tests)."""
    return "".join(_SPACE.sub("", c) if isinstance(c, str) else text_of(c) for c in node.children)


_BLOCKS = {"addressee": "addressee", "body": "body", "signature": "signature", "authority": "authority"}


PART_BREAK = None  # in a list of blocks: the document may be set in parts here (around a table and its chunks)


def blocks(node: Node, characters_a_part: int | None = None) -> list[str | None]:
    """The Typst calls that set a node's blocks, in order, PART_BREAK before and after each table. With
    `characters_a_part`, a table whose rows' markup is longer than that is set as several, each of whole rows up
    to that length under the same header and column widths, PART_BREAK between them."""
    out: list[str | None] = []
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == "table":
                out.extend(_table_chunks(child, characters_a_part))
                continue
            block = _block(child)
            out.extend(blocks(child, characters_a_part) if block is None else [block])
    return out


_HEADINGS = {"h1": "title", "h2": "heading2", "h3": "heading3"}


def _block(node: Node) -> str | None:
    """One block's Typst call; None for a container whose children are the blocks."""
    if node.tag == "p":
        if "doc-no" in node.classes:
            return _doc_no(node)
        name = _BLOCKS.get(node.classes[0]) if node.classes else None
        return f"#{name or 'par'}({inline(node)})"
    if node.tag in _HEADINGS:
        return f"#{_HEADINGS[node.tag]}({inline(node)})"
    if node.tag == "div" and "marks" in node.classes:
        return _marks(node)
    makers = {"hr": lambda n: "#red-rule()", "figure": _chart}  # a table: blocks() sets it, maybe in chunks
    return makers[node.tag](node) if node.tag in makers else None


def _doc_no(node: Node) -> str:
    spans = [c for c in node.children if isinstance(c, Node) and c.tag == "span"]
    if "upward" in node.classes and len(spans) == 2:
        return f"#doc-no-upward({inline(spans[0])}, {inline(spans[1])})"
    return f"#doc-no({inline(node)})"


def _marks(node: Node) -> str:
    lines = []
    for p in (c for c in node.children if isinstance(c, Node)):
        spans = [c for c in p.children if isinstance(c, Node) and c.tag == "span"]
        lines.append(f"printed({inline(spans[0])}, {inline(spans[1])})" if "printed" in p.classes and
                     len(spans) == 2 else inline(p))
    return f"#marks({', '.join(lines)})"


def _rows(node: Node) -> list[Node]:
    found = []
    for child in node.children:
        if isinstance(child, Node):
            found.extend([child] if child.tag == "tr" else _rows(child))
    return found


def _table_chunks(node: Node, characters_a_part: int | None) -> list[str | None]:
    """A table's `sheet` call; with `characters_a_part`, one call a chunk of rows whose cells' markup is at most
    that long (one row at least); PART_BREAK before each chunk and after the last. By length, not by a count
    of rows: the pages a chunk takes, and Typst's memory with them, grow with its text (a province plan's 1,000
    rows took 195 pages here, 388 there, where the teams' names were longer). The column widths are measured on
    the whole table, so every chunk has the same columns."""
    rows = [[c for c in row.children if isinstance(c, Node) and c.tag in ("th", "td")] for row in _rows(node)]
    header = rows[0] if rows and all(c.tag == "th" for c in rows[0]) else []
    body = rows[1:] if header else rows
    widths = [_width(column, rows) for column in range(len(rows[0]) if rows else 0)]
    if widths and "1fr" not in widths:  # the table spans the type area, as the HTML's does: the last column grows
        widths[-1] = "1fr"
    head = ", ".join(inline(cell) for cell in header)
    out: list[str | None] = []
    for cells in _chunks([", ".join(inline(cell) for cell in row) for row in body], characters_a_part):
        out.extend([PART_BREAK, f"#sheet(({', '.join(widths)},), ({head}{',' if len(header) == 1 else ''})"
                                f"{', ' if cells else ''}{cells})"])
    return [*out, PART_BREAK]


def _chunks(rows: list[str], characters: int | None) -> list[str]:
    """The rows' markup joined into chunks of at most `characters` (None: one chunk), each of whole rows."""
    chunks, current, length = [], [], 0
    for row in rows:
        if current and characters is not None and length + len(row) > characters:
            chunks.append(", ".join(current))
            current, length = [], 0
        current.append(row)
        length += len(row) + 2
    chunks.append(", ".join(current))
    return chunks


def _width(column: int, rows: list[list[Node]]) -> str:
    """A column as wide as its cells where they are short (序号, 程度, dates) or marked nowrap, else a share of
    what is left, as a browser lays out the HTML table."""
    cells = [row[column] for row in rows if column < len(row)]
    short = max((len(text_of(cell)) for cell in cells), default=0) <= _SHORT_CELL
    return "auto" if short or any("nowrap" in cell.classes for cell in cells) else "1fr"


_SHORT_CELL = 8  # characters


def _chart(node: Node) -> str:
    image = next((c for c in node.children if isinstance(c, Node) and c.tag == "img"), None)
    caption = next((c for c in node.children if isinstance(c, Node) and c.tag == "figcaption"), Node("figcaption"))
    source = image.attrs.get("src", "") if image else ""
    if not source.startswith("data:image/png;base64,"):
        return f"#align(center, text(size: 12pt, {inline(caption)}))"
    data = base64.b64decode(source.split(",", 1)[1])
    return f"#chart(bytes(({','.join(map(str, data))},)), {inline(caption)})"


def first_node(node: Node, tag: str, cls: str | None = None) -> Node | None:
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == tag and (cls is None or cls in child.classes):
                return child
            found = first_node(child, tag, cls)
            if found is not None:
                return found
    return None


def words_of(node: Node | None) -> str:
    return _SPACE.sub(" ", "".join(c if isinstance(c, str) else words_of(c) for c in node.children)).strip() \
        if node else ""


LAYOUT_DIR = REPO_ROOT / "templates" / "print"  # the Typst compiler's root: documents import the layout from it
