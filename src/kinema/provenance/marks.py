"""Both marks in one pass: the visible moving watermark, then the invisible video id."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kinema.provenance.invisible import (
    check_video_id,
    embed_video_id_in_frame,
    embed_video_id_in_luma,
    layout_at,
)
from kinema.provenance.video import transform_video_yuv
from kinema.provenance.watermark import watermark_frame, watermark_yuv_frame


def mark_frame(frame: np.ndarray, t: float, *, handle: str, video_id: str) -> np.ndarray:
    """One frame with the moving ``@handle`` watermark and the hidden ``video_id``."""
    return embed_video_id_in_frame(watermark_frame(frame, t, handle), video_id, layout=layout_at(t))


def mark_yuv_frame(planes: np.ndarray, t: float, *, handle: str, video_id: str) -> np.ndarray:
    """``mark_frame`` for a planar yuv420p frame (``(H * 3 // 2, W)`` uint8, video range,
    even size), done in place on its planes without converting colours."""
    height = planes.shape[0] * 2 // 3
    planes = watermark_yuv_frame(planes, t, handle)
    embed_video_id_in_luma(planes[:height], video_id, layout=layout_at(t))
    return planes


def apply_provenance_marks(source: Path, output: Path, *, handle: str, video_id: str) -> Path:
    """Re-encode the MP4 ``source`` into ``output`` with both marks on every frame (same
    size, frame rate and sound; H.264 yuv420p, faststart)."""
    source = Path(source)
    check_video_id(video_id)  # before any work, so a bad id leaves no file behind
    return transform_video_yuv(
        source,
        output,
        lambda planes, t: mark_yuv_frame(planes, t, handle=handle, video_id=video_id),
    )
