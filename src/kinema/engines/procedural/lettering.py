"""Text in the picture: titles, signs and captions, set in Noto Sans CJK so Latin, Korean,
Japanese and Chinese all read (the font ships in the ``manimgx-fonts-cjk`` package, SIL
Open Font License 1.1)."""

from __future__ import annotations

import contextlib
import threading
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_CREDIT = "Noto Sans CJK by Google and Adobe (SIL Open Font License 1.1)"
# The collection's faces differ only in which regional forms of shared characters they
# prefer: Korean text gets the KR face, Chinese the SC face, everything else the JP face.
_FACE = {"ja": 0, "ko": 1, "zh": 2}
_font_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cjk_path() -> str | None:
    try:
        import manimgx_fonts_cjk
    except ImportError:  # an install without the font: fall back to what the system has
        return None
    path = Path(manimgx_fonts_cjk.__file__).with_name("NotoSansCJK-VF.otf.ttc")
    return str(path) if path.is_file() else None


def script_of(text: str) -> str:
    """The East Asian script a text is in ("ko", "ja", "zh"), or "latin" for the rest."""
    han = False
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            return "ko"
        if 0x3040 <= code <= 0x30FF:
            return "ja"
        if 0x4E00 <= code <= 0x9FFF:
            han = True
    return "zh" if han else "latin"


@lru_cache(maxsize=32)
def text_font(size: int, script: str = "latin",
              weight: str = "Bold") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font ``size`` px tall for text in ``script``; ``weight`` is a Noto weight name
    (Regular, Medium, Bold, Black)."""
    path = _cjk_path()
    if path is not None:
        with _font_lock:
            font = ImageFont.truetype(path, size, index=_FACE.get(script, 0))
            # A build of FreeType without variations keeps the default weight.
            with contextlib.suppress(OSError, ValueError):
                font.set_variation_by_name(weight)
        return font
    for fallback in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
                     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        if Path(fallback).is_file():
            return ImageFont.truetype(fallback, size)
    return ImageFont.load_default(size=size)


def wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
         width: float) -> list[str]:
    """``text`` broken into rows no wider than ``width`` px: at spaces, or between any
    two characters for scripts written without spaces."""
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    rows: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split(" ") if " " in paragraph else list(paragraph)
        glue = " " if " " in paragraph else ""
        row = ""
        for word in words:
            trial = f"{row}{glue}{word}" if row else word
            if row and probe.textlength(trial, font=font) > width:
                rows.append(row)
                row = word
            else:
                row = trial
        rows.append(row)
    return rows


@lru_cache(maxsize=16)
def title_card(text: str, width: int, height: int) -> Image.Image:
    """A title as it appears over the picture: large white lettering with a dark outline
    and a soft shadow, centred, on a transparent RGBA image ``width`` px wide."""
    size = max(12, int(min(height * 0.085, width * 0.11)))
    font = text_font(size, script_of(text), "Black")
    rows = wrap(text, font, width * 0.84)[:4]
    line = int(size * 1.3)
    card = Image.new("RGBA", (width, line * len(rows) + size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(card)
    stroke = max(1, size // 12)
    with _font_lock:
        for k, row in enumerate(rows):
            x = (width - draw.textlength(row, font=font)) / 2
            y = size * 0.3 + k * line
            off = max(1, size // 16)
            draw.text((x + off, y + off), row, font=font, fill=(0, 0, 0, 150),
                      stroke_width=stroke, stroke_fill=(0, 0, 0, 150))
            draw.text((x, y), row, font=font, fill=(255, 255, 255, 255),
                      stroke_width=stroke, stroke_fill=(20, 20, 30, 255))
    return card


def sign_board(text: str, width: int, color: tuple[int, int, int] = (40, 60, 52),
               ink: tuple[int, int, int] = (250, 248, 235)) -> Image.Image:
    """A board with ``text`` painted on it (RGBA), ``width`` px wide, as tall as its text
    needs: a sign in the scene."""
    size = max(8, int(width * 0.16))
    font = text_font(size, script_of(text), "Bold")
    rows = wrap(text, font, width * 0.84)
    while len(rows) > 3 and size > 8:
        size = int(size * 0.8)
        font = text_font(size, script_of(text), "Bold")
        rows = wrap(text, font, width * 0.84)
    rows = rows[:3]
    line = int(size * 1.25)
    height = line * len(rows) + int(size * 0.9)
    board = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(board)
    edge = max(2, width // 40)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=edge * 2,
                           fill=(*_darker(color), 255))
    draw.rounded_rectangle((edge, edge, width - 1 - edge, height - 1 - edge), radius=edge,
                           fill=(*color, 255))
    with _font_lock:
        for k, row in enumerate(rows):
            x = (width - draw.textlength(row, font=font)) / 2
            draw.text((x, size * 0.35 + k * line), row, font=font, fill=(*ink, 255))
    return board


def _darker(color: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = (int(c * 0.55) for c in color)
    return (r, g, b)
