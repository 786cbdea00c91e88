"""Subject artwork: every noun the planner knows is drawn from the OpenMoji font."""

from __future__ import annotations

import numpy as np

from kinema.engines.procedural.glyphs import glyph_image, glyph_renders
from kinema.engines.procedural.lexicon import noun_index


def test_every_known_noun_has_openmoji_artwork() -> None:
    missing = sorted({noun for noun, glyph in noun_index().items() if not glyph_renders(glyph)})
    assert missing == []


def test_glyphs_are_sized_coloured_and_tinted() -> None:
    plain = glyph_image("🚗", 120)
    assert plain.mode == "RGBA" and plain.height == 120
    blue = np.asarray(glyph_image("🚗", 120, (40, 90, 220))).astype(int)
    opaque = blue[..., 3] > 200
    coloured = opaque & (blue[..., 2] > blue[..., 0] + 40)
    assert coloured.sum() > 0.3 * opaque.sum()
