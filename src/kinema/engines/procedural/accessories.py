"""What subjects wear: reading it from words ("always wears a red cap", "a dog wearing
sunglasses") and drawing it on the subject's artwork.

Accessories are OpenMoji glyphs placed on the subject's head, which is found from the
artwork's own shape (its alpha): the top rows of the opaque region, down to where it
narrows at the neck. They are drawn into the subject's artwork before it is posed, so
they bob, turn and mirror with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from PIL import Image, ImageFilter

from kinema.engines.procedural import lexicon as lx
from kinema.engines.procedural.glyphs import cutout_image, glyph_image
from kinema.engines.procedural.plan import Accessory

_WORD = re.compile(r"[a-z][a-z'-]*")
# Heads are looked for in the artwork scaled to this height, after parts thinner than
# 2 * _THIN + 1 px there (tails, antennae, an ear tip) are eroded away.
_WORK_HEIGHT, _THIN = 128, 5
HeadBox = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the artwork


def accessory(phrase: str, color: tuple[int, int, int] | None = None) -> Accessory:
    """The accessory a lexicon phrase names ("baseball cap"), tinted ``color`` if given."""
    item, glyph, anchor = lx.ACCESSORIES[phrase]
    return Accessory(item=item, glyph=glyph, anchor=anchor,
                     color=color if color is not None else lx.ACCESSORY_COLORS.get(item))


def accessories_from_rules(text: str) -> tuple[list[Accessory], list[str]]:
    """Read a character's appearance rules ("always wears a red cap; glasses") into the
    accessories to draw on it, and the words that could not be used (in order, once
    each). One accessory per anchor: a later rule for the same place wins."""
    found: dict[str, Accessory] = {}
    unknown: list[str] = []
    for clause in re.split(r"[;,.!\n]+|\band\b", text.lower()):
        words = _WORD.findall(clause)
        # Only a clause about looks can have unknown appearance words; "no political
        # content" is a content rule, checked elsewhere.
        about_looks = any(w in lx.WEAR_WORDS or w in lx.COLORS for w in words)
        missed: list[str] = []
        i = 0
        while i < len(words):
            hit = lx.accessory_at(words, i)
            if hit is not None:
                phrase, color, i = hit
                item = accessory(phrase, color)
                found[item.anchor] = item
                about_looks = True
                continue
            word = words[i]
            if not (word in lx.STOPWORDS or word in lx.WEAR_WORDS or word in lx.COLORS
                    or word in lx.APPEARANCE_FILLER):
                missed.append(word)
            i += 1
        if about_looks:
            unknown.extend(w for w in missed if w not in unknown)
    return list(found.values()), unknown


def wear(existing: Sequence[Accessory], added: Sequence[Accessory]) -> list[Accessory]:
    """``existing`` plus ``added``, where an added accessory replaces one at the same
    place (a character's "always wears a red cap" replaces a crown the prompt gave)."""
    places = {a.anchor for a in added}
    return [a for a in existing if a.anchor not in places] + list(added)


# --- drawing ---------------------------------------------------------------------------


def head_box(alpha: np.ndarray) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)`` of the head in an artwork's alpha channel (``(h, w)``,
    uint8): the heaviest run of opaque columns among the top rows, followed down to
    where the shape narrows (the neck) or stops. Thin parts (a cat's raised tail, an
    antenna) are eroded away first so they are not taken for the head."""
    h, w = alpha.shape
    scale = _WORK_HEIGHT / max(h, 1)
    small_w, small_h = max(1, round(w * scale)), _WORK_HEIGHT
    small = Image.fromarray(alpha, "L").resize((small_w, small_h), Image.Resampling.BILINEAR)
    mask_image = small.point(lambda v: 255 if v > 96 else 0)
    eroded = np.asarray(mask_image.filter(ImageFilter.MinFilter(2 * _THIN + 1))) > 0
    mask = eroded if eroded.any() else np.asarray(mask_image) > 0
    if not mask.any():
        return 0, 0, w, h
    x0, y0, x1, y1 = _head_in_mask(mask)
    grow = 0 if mask is not eroded else _THIN  # give back what the erosion took
    x0, y0 = max(0, x0 - grow), max(0, y0 - grow)
    x1, y1 = min(small_w, x1 + grow), min(small_h, y1 + grow)
    return (round(x0 / scale), round(y0 / scale), max(round(x1 / scale), round(x0 / scale) + 1),
            max(round(y1 / scale), round(y0 / scale) + 1))


def _head_in_mask(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    height = bottom - top
    band = mask[top: top + max(1, round(0.3 * height))].sum(axis=0)
    runs = _runs(band)
    c0, c1 = max(runs, key=lambda r: int(band[r[0]: r[1]].sum()))
    if c1 - c0 > 0.6 * height:
        # A wide top may be a head and a back joined (a horse): if only one narrower
        # part reaches the very top, that is the head. Two (a bear's ears) mean a face.
        crown = mask[top: top + max(1, round(0.15 * height)), c0:c1].sum(axis=0)
        tops = _runs(crown)
        if len(tops) == 1 and tops[0][1] - tops[0][0] < 0.6 * (c1 - c0):
            c0, c1 = c0 + tops[0][0], c0 + tops[0][1]
    columns = np.flatnonzero(mask.any(axis=0))
    side_view = columns[-1] - columns[0] > 1.25 * height and c1 - c0 > 0.6 * height
    if side_view:
        # A long back (a cow, a horse) on an animal seen from the side, not a round
        # face: OpenMoji animals face left, so the head is at the left end of it.
        c1 = c0 + max(1, round(0.55 * height))
    run = int(c1 - c0)
    top = int(np.flatnonzero(mask[:, c0:c1].any(axis=1))[0])
    # The head may widen below its crown: look a little either side of the top run.
    w0 = max(0, int(c0) - run // 2)
    w1 = int(c1) if side_view else min(mask.shape[1], int(c1) + run // 3)
    widest, head_bottom = 0, bottom
    x0, x1 = int(c1), int(c0)
    # A head is at least about a fifth of the shape's height: an ear tip is not a head.
    least = 0.22 * height
    for r in range(top, bottom):
        cols = np.flatnonzero(mask[r, w0:w1])
        width = int(cols[-1] - cols[0] + 1) if cols.size else 0
        down = r - top
        if down > least and ((width < 0.78 * widest and down > 0.6 * widest)
                             or down > 1.3 * widest):
            head_bottom = r
            break
        if widest and not cols.size:
            head_bottom = r  # a neck too thin to survive the erosion
            break
        if width > 1.5 * widest and down > 0.8 * widest and widest > 0.08 * height:
            head_bottom = r  # the shoulders (or arms) start
            break
        if cols.size:
            widest = max(widest, width)
            x0, x1 = min(x0, w0 + int(cols[0])), max(x1, w0 + int(cols[-1]) + 1)
    return x0, top, max(x1, x0 + 1), max(head_bottom, top + 1)


@lru_cache(maxsize=512)
def glyph_head(glyph: str) -> HeadBox:
    """Where a glyph's head is, as fractions of its artwork: found once on a large
    rendering, so a subject's accessories sit the same way at every size."""
    return _fractions(glyph_image(glyph, _WORK_HEIGHT * 2))


@lru_cache(maxsize=32)
def cutout_head(path: str) -> HeadBox:
    """Where the head is in a character's cutout, as fractions of the artwork."""
    return _fractions(cutout_image(path, _WORK_HEIGHT * 2))


def _fractions(art: Image.Image) -> HeadBox:
    x0, y0, x1, y1 = head_box(np.asarray(art.getchannel("A")))
    return x0 / art.width, y0 / art.height, x1 / art.width, y1 / art.height


def _runs(counts: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of non-zero counts."""
    filled = np.concatenate([[0], (counts > 0).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(filled))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def dress(art: Image.Image, accessories: Sequence[Accessory],
          head: HeadBox | None = None) -> Image.Image:
    """``art`` (RGBA) with ``accessories`` drawn on its head (``head``: from
    ``glyph_head``/``cutout_head``; found in ``art`` itself when not given). The result
    may be taller and wider than ``art``, padded on top and equally on both sides, so its
    bottom centre (where the subject stands) stays where it was."""
    if not accessories:
        return art
    if head is None:
        hx0, hy0, hx1, hy1 = head_box(np.asarray(art.getchannel("A")))
    else:
        hx0, hy0 = round(head[0] * art.width), round(head[1] * art.height)
        hx1 = max(hx0 + 1, round(head[2] * art.width))
        hy1 = max(hy0 + 1, round(head[3] * art.height))
    cx = (hx0 + hx1) / 2
    placed: list[tuple[Image.Image, float, float, bool]] = []  # image, left, top, behind
    for item in accessories:
        width, height, centre_x, y, edge = _spot(item, cx, hx0, hx1, hy0, hy1, art.height)
        image = _sized(item.glyph, max(4, round(width)),
                       max(4, round(height)) if height else 0, item.color)
        top = {"bottom": y - image.height, "top": y}.get(edge, y - image.height / 2)
        placed.append((image, centre_x - image.width / 2, top, item.anchor == "back"))
    left = min(0.0, *(p[1] for p in placed))
    right = max(float(art.width), *(p[1] + p[0].width for p in placed))
    above = min(0.0, *(p[2] for p in placed))
    pad_x = int(np.ceil(max(-left, right - art.width)))
    pad_top = int(np.ceil(-above))
    canvas = Image.new("RGBA", (art.width + 2 * pad_x, art.height + pad_top), (0, 0, 0, 0))
    for behind in (True, False):
        if not behind:
            canvas.alpha_composite(art, (pad_x, pad_top))
        for image, x, y, back in placed:
            if back == behind:
                _paste(canvas, image, round(x) + pad_x, round(y) + pad_top)
    return canvas


def _spot(item: Accessory, cx: float, hx0: int, hx1: int, hy0: int, hy1: int,
          art_height: int) -> tuple[float, float, float, float, str]:
    """Where an accessory goes on a head box: width, height (0 keeps the glyph's shape),
    centre x, a y and which edge of the accessory that y is ("bottom", "top" or
    "centre"). Proportions are chosen so each reads as worn, not pasted on."""
    hw, hh = hx1 - hx0, hy1 - hy0
    anchor, name = item.anchor, item.item
    below = min(hy1, art_height - 0.35 * hh)  # the neck, kept on the artwork
    if anchor == "head":
        if name == "crown":
            return 0.8 * hw, 0, cx, hy0 + 0.14 * hh, "bottom"
        return 1.05 * hw, 0, cx, hy0 + 0.3 * hh, "bottom"  # sits down over the crown
    if anchor == "hair":
        return 0.45 * hw, 0, hx1 - 0.12 * hw, hy0 + 0.12 * hh, "centre"
    if anchor == "eyes":
        return 0.95 * hw, 0, cx, hy0 + 0.42 * hh, "centre"
    if anchor == "ears":  # band over the top, cups at the ears
        return 1.25 * hw, 0.72 * hh, cx, hy0 - 0.08 * hh, "top"
    if anchor == "neck":
        if name == "necktie":
            return 0.6 * hw, 0, cx, below - 0.05 * hh, "top"
        if name in ("bow tie", "medal"):
            return 0.5 * hw, 0, cx, below + 0.1 * hh, "centre"
        return 0.9 * hw, 0, cx, below + 0.1 * hh, "centre"
    if anchor == "body":
        return 1.1 * hw, 0, cx, below, "top"
    # back: behind the body, showing on one side of it (mirrored with the subject)
    return 0.8 * hw, 0, hx0 - 0.05 * hw, below + 0.4 * hh, "centre"


@lru_cache(maxsize=256)
def _sized(glyph: str, width: int, height: int,
           color: tuple[int, int, int] | None) -> Image.Image:
    """The glyph ``width`` px wide and ``height`` tall (0: as its shape gives)."""
    probe = glyph_image(glyph, 64)
    natural = max(4, round(width * probe.height / max(1, probe.width)))
    art = glyph_image(glyph, natural, color)
    if height and abs(height - natural) > 1:
        art = art.resize((art.width, height), Image.Resampling.BILINEAR)
    return art


def _paste(canvas: Image.Image, image: Image.Image, x: int, y: int) -> None:
    # alpha_composite refuses negative offsets and overhangs: crop to the canvas first.
    left, top = max(0, -x), max(0, -y)
    right = min(image.width, canvas.width - x)
    bottom = min(image.height, canvas.height - y)
    if right <= left or bottom <= top:
        return
    canvas.alpha_composite(image.crop((left, top, right, bottom)), (x + left, y + top))
