"""The fonts the PDFs are set in, derived once from Debian's Noto CJK (fonts-noto-cjk) at install.

Typst embeds in every PDF the subset of each font it uses. From Noto CJK's CFF outlines in a 65,535-glyph
collection, that subset cost about 60% of a document's compile (a 1-page notice: 28 of 40 million
instructions; the CFF index read whole and the charstrings desubroutinized for each document). From the same
glyphs as TrueType outlines in a font of the characters documents use (GB 2312's 7,445, ASCII, Latin-1 and the
punctuation and symbol blocks, with every glyph their layout features reach), it costs half as much, and the
page looks the same (outlines within 3 thousandths of an em: quadratic curves, points on whole units). A character outside the set (a rare one in
a name) is drawn from Noto CJK itself: the layout names both families (templates/print/gongwen.typ).

The derived fonts are named anew (Dudao Serif, Dudao Sans), as the SIL Open Font License asks of a modified
version, and keep Noto's copyright and license entries. `make fonts` (run by `make demo` and `make test`)
builds them into `.fonts/`; without them PDFs are set in Noto CJK directly, slower and otherwise the same.
"""

import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from core.paths import REPO_ROOT

FONT_DIR = REPO_ROOT / ".fonts"
NOTO_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts"))
# Unicode blocks beside GB 2312 that documents use: ASCII, Latin-1, general punctuation, letterlike and number
# forms (Ⅰ, №), arrows, enclosed numbers (①), box drawing and shapes (■ □ ● ○), CJK punctuation, full-width forms.
BLOCKS = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF), (0x2460, 0x24FF),
          (0x2500, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


@dataclass(frozen=True)
class DerivedFont:
    source: str  # a Noto CJK collection; its Simplified Chinese face is taken
    family: str
    style: str  # Regular or Bold

    @property
    def path(self) -> Path:
        return FONT_DIR / f"{self.family.replace(' ', '')}-{self.style}.ttf"


FONTS = (DerivedFont("NotoSerifCJK-Regular.ttc", "Dudao Serif", "Regular"),
         DerivedFont("NotoSerifCJK-Bold.ttc", "Dudao Serif", "Bold"),
         DerivedFont("NotoSansCJK-Regular.ttc", "Dudao Sans", "Regular"))


def available() -> bool:
    return all(font.path.is_file() for font in FONTS)


def characters() -> set[int]:
    chars = {code for first, last in BLOCKS for code in range(first, last + 1)}
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([row, cell]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def _noto(name: str) -> Path:
    for folder in NOTO_DIRS:
        found = sorted(folder.rglob(name)) if folder.is_dir() else []
        if found:
            return found[0]
    raise FileNotFoundError(f"未找到字体 {name}：请先安装 fonts-noto-cjk（make deps-system）")


def build(font: DerivedFont) -> Path:
    """Subset the collection's Simplified Chinese face, convert its outlines, rename it, write it atomically."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    face = next(f for f in TTCollection(str(_noto(font.source))).fonts if f["name"].getDebugName(1).endswith(" SC"))
    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], notdef_outline=True,
                             desubroutinize=True, hinting=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(face)
    _to_truetype(face)
    _rename(face, font)
    FONT_DIR.mkdir(exist_ok=True)
    part = font.path.with_name(f".{font.path.name}.part")
    face.save(str(part))
    part.replace(font.path)
    return font.path


def _to_truetype(face) -> None:
    """CFF outlines to quadratic TrueType ones (cu2qu: within one font unit of each curve), as fontTools' otf2ttf does."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order, glyph_set, glyphs = face.getGlyphOrder(), face.getGlyphSet(), {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    face["loca"] = newTable("loca")
    face["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    for table in ("CFF ", "VORG"):
        if table in face:
            del face[table]
    face["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion, maxp.numGlyphs = 0x00010000, len(order)
    for attribute in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                      "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attribute, 1 if attribute == "maxZones" else 0)
    glyf.compile(face)  # each glyph's bounds from its new points
    metrics = face["hmtx"]  # a TrueType renderer places the outline by its left side bearing: it must be xMin now
    for name, glyph in glyphs.items():
        metrics[name] = (metrics[name][0], getattr(glyph, "xMin", 0))
    face["head"].glyphDataFormat = 0
    face["post"].formatType = 3.0  # no glyph names: a CJK font's are CIDs anyway
    face.sfntVersion = "\0\1\0\0"


def _rename(face, font: DerivedFont) -> None:
    full = font.family if font.style == "Regular" else f"{font.family} {font.style}"
    postscript = f"{font.family.replace(' ', '')}-{font.style}"
    for record in face["name"].names:
        if record.nameID in (1, 16):
            record.string = font.family
        elif record.nameID == 4:
            record.string = full
        elif record.nameID == 6:
            record.string = postscript
        elif record.nameID == 3:
            record.string = f"{postscript};derived from Noto CJK"


def main() -> int:
    """`make fonts`: build the fonts that are missing, in parallel."""
    missing = [font for font in FONTS if not font.path.is_file()]
    if not missing:
        return 0
    sys.stderr.write(f"生成 PDF 字体（{len(missing)} 个，约一分钟）……\n")
    with ProcessPoolExecutor(len(missing)) as pool:
        for path in pool.map(build, missing):
            sys.stderr.write(f"  {path.relative_to(REPO_ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
