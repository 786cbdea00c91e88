"""Both marks in one pass: the visible moving watermark, then the invisible video id."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kinema.provenance.invisible import embed_video_id_in_frame, layout_at
from kinema.provenance.video import transform_video
from kinema.provenance.watermark import watermark_frame


def mark_frame(frame: np.ndarray, t: float, *, handle: str, video_id: str) -> np.ndarray:
    """One frame with the moving ``@handle`` watermark and the hidden ``video_id``."""
    return embed_video_id_in_frame(watermark_frame(frame, t, handle), video_id, layout=layout_at(t))


def apply_provenance_marks(source: Path, output: Path, *, handle: str, video_id: str) -> Path:
    """Re-encode the MP4 ``source`` into ``output`` with both marks on every frame (same
    size, frame rate and sound; H.264 yuv420p, faststart)."""
    return transform_video(
        source, output, lambda frame, t: mark_frame(frame, t, handle=handle, video_id=video_id)
    )
