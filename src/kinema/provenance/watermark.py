"""The visible watermark: the Kinema mark and the creator's ``@handle``, gliding between
the corners and edges of the picture every couple of seconds, so cropping away any one
corner or edge never removes it from the whole video."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kinema.provenance.video import transform_video_yuv, write_video

# Where the mark rests, as fractions of the free space (x, y): it visits every corner
# and the middle of both long edges.
STOPS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (1.0, 0.0),
    (1.0, 0.5),
    (1.0, 1.0),
    (0.0, 1.0),
    (0.0, 0.5),
)
SECONDS_PER_STOP = 2.0
GLIDE_SECONDS = 0.6  # the last part of each stop is a smooth glide to the next one
OPACITY = 0.72


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=32)
def _overlay(handle: str, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """The mark as (premultiplied RGB float32, alpha float32), sized for the frame."""
    unit = max(8, round(min(width, height) * 0.045))
    title_font, handle_font = _font(unit), _font(max(7, round(unit * 0.8)))
    label = f"@{handle.lstrip('@')}" if handle else ""
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    title_w = probe.textbbox((0, 0), "Kinema", font=title_font)[2]
    handle_w = probe.textbbox((0, 0), label, font=handle_font)[2] if label else 0
    icon = unit
    pad = max(2, unit // 4)
    w = int(pad * 3 + icon + max(title_w, handle_w) + pad)
    h = pad * 2 + unit + (round(unit * 1.05) if label else 0)

    shape = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(shape)
    # The Kinema mark: a play triangle inside a rounded square.
    x0, y0 = pad, pad
    draw.rounded_rectangle(
        (x0, y0, x0 + icon, y0 + icon),
        radius=max(2, icon // 4),
        outline=255,
        width=max(1, icon // 10),
    )
    draw.polygon(
        [
            (x0 + icon * 0.36, y0 + icon * 0.27),
            (x0 + icon * 0.36, y0 + icon * 0.73),
            (x0 + icon * 0.75, y0 + icon * 0.5),
        ],
        fill=255,
    )
    text_x = x0 + icon + pad
    draw.text((text_x, y0 - unit * 0.05), "Kinema", font=title_font, fill=255)
    if label:
        draw.text((text_x, y0 + unit * 1.05), label, font=handle_font, fill=255)

    # A soft dark halo under white strokes keeps the mark readable on any background.
    mask = np.asarray(shape, dtype=np.float32) / 255.0
    halo = (
        np.asarray(
            shape.filter(ImageFilter.MaxFilter(3)).filter(
                ImageFilter.GaussianBlur(max(1, unit // 8))
            ),
            dtype=np.float32,
        )
        / 255.0
    )
    alpha = np.clip(np.maximum(mask, halo * 0.55), 0.0, 1.0) * OPACITY
    white = mask * OPACITY
    premultiplied = np.repeat((white * 255.0)[:, :, None], 3, axis=2)
    return premultiplied.astype(np.float32), alpha.astype(np.float32)


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


def mark_position(t: float, width: int, height: int, mark_w: int, mark_h: int) -> tuple[int, int]:
    """Top-left corner of the mark at ``t`` seconds into a ``width``x``height`` video."""
    margin = max(2, round(min(width, height) * 0.03))
    free_w, free_h = max(0, width - mark_w - 2 * margin), max(0, height - mark_h - 2 * margin)
    cycle = t / SECONDS_PER_STOP
    index = int(np.floor(cycle)) % len(STOPS)
    within = (cycle - np.floor(cycle)) * SECONDS_PER_STOP
    hold = SECONDS_PER_STOP - GLIDE_SECONDS
    k = _smoothstep((within - hold) / GLIDE_SECONDS) if within > hold else 0.0
    (ax, ay), (bx, by) = STOPS[index], STOPS[(index + 1) % len(STOPS)]
    fx, fy = ax + (bx - ax) * k, ay + (by - ay) * k
    return margin + round(fx * free_w), margin + round(fy * free_h)


def watermark_frame(frame: np.ndarray, t: float, handle: str) -> np.ndarray:
    """Return ``frame`` (H x W x 3 uint8 RGB) with the moving Kinema mark and ``@handle``
    drawn where the mark is at ``t`` seconds."""
    height, width = frame.shape[:2]
    rgb, alpha = _overlay(handle, width, height)
    mark_h, mark_w = alpha.shape
    x, y = mark_position(t, width, height, mark_w, mark_h)
    h, w = min(mark_h, height - y), min(mark_w, width - x)
    if h <= 0 or w <= 0:
        return frame
    out = frame.copy()
    region = out[y : y + h, x : x + w].astype(np.float32)
    a = alpha[:h, :w, None]
    out[y : y + h, x : x + w] = np.clip(rgb[:h, :w] + region * (1.0 - a), 0, 255).astype(np.uint8)
    return out


@lru_cache(maxsize=64)
def _overlay_yuv(
    handle: str, width: int, height: int, odd_x: int, odd_y: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The mark for planar video-range YUV 4:2:0, placed at an ``(odd_x, odd_y)`` offset
    from the chroma grid: (luma keep, luma add, chroma keep, chroma add), so that a
    plane becomes ``plane * keep + add``. The same blend as ``watermark_frame`` does on
    RGB, since video-range YUV is an affine map of RGB: white adds to luma only."""
    rgb, alpha = _overlay(handle, width, height)
    mark_h, mark_w = alpha.shape
    white = rgb[:, :, 0]
    # Luma: y' = 16 + 219/255 * (white + (y - 16) * 255/219 * (1 - a)).
    keep_y = 1.0 - alpha
    add_y = 16.0 * alpha + white * np.float32(219.0 / 255.0)
    # Chroma (white carries none): c' = 128 + (c - 128) * (1 - a), on 2x2 averages.
    box_h, box_w = mark_h + odd_y, mark_w + odd_x
    box_h, box_w = box_h + box_h % 2, box_w + box_w % 2
    padded = np.zeros((box_h, box_w), dtype=np.float32)
    padded[odd_y : odd_y + mark_h, odd_x : odd_x + mark_w] = alpha
    chroma_alpha = padded.reshape(box_h // 2, 2, box_w // 2, 2).mean(axis=(1, 3))
    keep_c = 1.0 - chroma_alpha
    add_c = 128.0 * chroma_alpha
    return (
        keep_y.astype(np.float32),
        add_y.astype(np.float32),
        keep_c.astype(np.float32),
        add_c.astype(np.float32),
    )


def _blend(plane: np.ndarray, keep: np.ndarray, add: np.ndarray, x: int, y: int) -> None:
    """``plane[y:, x:] = plane * keep + add`` over the part of the box inside the plane."""
    h = min(keep.shape[0], plane.shape[0] - y)
    w = min(keep.shape[1], plane.shape[1] - x)
    if h <= 0 or w <= 0:
        return
    region = plane[y : y + h, x : x + w]
    blended = region.astype(np.float32) * keep[:h, :w] + add[:h, :w]
    region[...] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def watermark_yuv_frame(planes: np.ndarray, t: float, handle: str) -> np.ndarray:
    """Draw the moving mark into a planar yuv420p frame (``(H * 3 // 2, W)`` uint8, as
    ``VideoFrame.to_ndarray(format="yuv420p")`` gives; width and height even) in place
    and return it; where the mark is at ``t`` seconds matches ``watermark_frame``."""
    if not planes.flags.c_contiguous:
        planes = np.ascontiguousarray(planes)
    height, width = planes.shape[0] * 2 // 3, planes.shape[1]
    _, alpha = _overlay(handle, width, height)
    mark_h, mark_w = alpha.shape
    x, y = mark_position(t, width, height, mark_w, mark_h)
    keep_y, add_y, keep_c, add_c = _overlay_yuv(handle, width, height, x % 2, y % 2)
    _blend(planes[:height], keep_y, add_y, x, y)
    quarter = height * width // 4
    for index in range(2):
        start = height * width + index * quarter
        chroma = planes.reshape(-1)[start : start + quarter].reshape(height // 2, width // 2)
        _blend(chroma, keep_c, add_c, x // 2, y // 2)
    return planes


def apply_visible_watermark(
    source: Path | Iterable[np.ndarray],
    output: Path,
    handle: str,
    *,
    fps: Fraction | int = 24,
) -> Path:
    """Write an MP4 with the moving mark on every frame and return its path.

    ``source`` is an MP4 (size, frame rate and sound are kept) or RGB frames shown at
    ``fps``. The output is H.264 yuv420p with the index up front (faststart).
    """
    if isinstance(source, (str, Path)):
        return transform_video_yuv(
            Path(source), output, lambda planes, t: watermark_yuv_frame(planes, t, handle)
        )
    rate = Fraction(fps)
    marked = (
        watermark_frame(frame, float(index / rate), handle) for index, frame in enumerate(source)
    )
    return write_video(marked, output, fps=rate)
