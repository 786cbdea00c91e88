"""Decoding MP4s back with PyAV, and measures of what a viewer would see and hear."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

SMALL = {"width": 160, "height": 288, "fps": 12, "seconds": 2.0}


@dataclass
class Decoded:
    """What a viewer gets from an MP4: frames, sound and the container's facts."""

    frames: list[np.ndarray]  # RGB uint8, (h, w, 3)
    audio: np.ndarray  # (channels, samples) float32
    video_codec: str
    pix_fmt: str
    width: int
    height: int
    fps: float
    duration: float
    audio_codec: str
    sample_rate: int
    channels: int
    metadata: dict[str, str]


def decode(path: Path) -> Decoded:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        info: dict[str, Any] = {
            "video_codec": video.codec_context.name,
            "pix_fmt": video.codec_context.pix_fmt,
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "fps": float(video.average_rate or 0),
            "duration": float(container.duration or 0) / 1_000_000,
            "audio_codec": audio.codec_context.name,
            "sample_rate": audio.codec_context.sample_rate,
            "channels": audio.codec_context.channels,
            "metadata": dict(container.metadata),
        }
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        container.seek(0)
        chunks = [f.to_ndarray() for f in container.decode(audio=0)]
    samples = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    return Decoded(frames=frames, audio=samples.astype(np.float32), **info)


def luma(frame: np.ndarray) -> float:
    return float((0.299 * frame[..., 0] + 0.587 * frame[..., 1] + 0.114 * frame[..., 2]).mean())


def band_energy(mono: np.ndarray, rate: int, low: float, high: float) -> float:
    """Mean power of ``mono`` between ``low`` and ``high`` Hz."""
    if mono.size == 0:
        return 0.0
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size))) ** 2
    freqs = np.fft.rfftfreq(mono.size, 1.0 / rate)
    band = (freqs >= low) & (freqs < high)
    return float(spectrum[band].sum() / mono.size)
