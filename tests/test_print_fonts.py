"""The fonts derived from Noto CJK for the PDFs (`make fonts`, tasks/documents/print_fonts.py): every
character documents use, the same advance widths, outlines within 3 font units of Noto's (3 thousandths of an
em: 0.05 pt in a 3号 body; quadratic curves and whole-unit points), and new names."""

import random

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTCollection, TTFont

from tasks.documents import print_fonts


@pytest.fixture(scope="module", params=print_fonts.FONTS, ids=lambda f: f.path.name)
def pair(request):
    font = request.param
    assert font.path.is_file(), f"{font.path} 不存在：请先运行 make fonts"
    noto = next(f for f in TTCollection(str(print_fonts._noto(font.source))).fonts
                if f["name"].getDebugName(1).endswith(" SC"))
    return TTFont(str(font.path)), noto, font


def test_it_covers_gb2312_and_is_named_anew(pair):
    derived, _, font = pair
    cmap = derived.getBestCmap()
    assert print_fonts.characters() <= set(cmap) | _absent_from_noto(pair)
    assert derived["name"].getDebugName(1) == font.family and "Noto" not in derived["name"].getDebugName(6)
    assert "glyf" in derived and "CFF " not in derived  # TrueType outlines
    assert "SIL Open Font License" in (derived["name"].getDebugName(13) or "")  # Noto's license kept


def _absent_from_noto(pair) -> set[int]:
    _, noto, _ = pair
    return print_fonts.characters() - set(noto.getBestCmap())


def test_glyphs_keep_their_widths_and_outlines(pair):
    derived, noto, _ = pair
    ours, theirs = derived.getBestCmap(), noto.getBestCmap()
    sample = random.Random(9704).sample(sorted(set(ours) & set(theirs)), 300)
    ours_set, theirs_set = derived.getGlyphSet(), noto.getGlyphSet()
    for code in sample:
        a, b = ours_set[ours[code]], theirs_set[theirs[code]]
        assert a.width == b.width, chr(code)
        bounds_a, bounds_b = BoundsPen(ours_set), BoundsPen(theirs_set)
        a.draw(bounds_a)
        b.draw(bounds_b)
        if bounds_b.bounds is None:
            assert bounds_a.bounds is None, chr(code)
            continue
        assert all(abs(x - y) <= 3 for x, y in zip(bounds_a.bounds, bounds_b.bounds, strict=True)), chr(code)
