"""Reading facts back out of an MP4 with PyAV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    fps: float
    seconds: float
    has_audio: bool


def probe_video(path: Path) -> VideoFacts:
    """Width, height, frame rate, duration and whether there is a sound track."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or 0
        if container.duration is not None:
            seconds = container.duration / 1_000_000
        elif stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        else:
            seconds = 0.0
        return VideoFacts(
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            fps=float(rate),
            seconds=seconds,
            has_audio=bool(container.streams.audio),
        )
