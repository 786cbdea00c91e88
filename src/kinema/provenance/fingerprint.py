"""Fingerprints for reverse lookup: "did this video or picture come from here?"

A video's fingerprint is a PDQ perceptual hash of its picture a few times a second plus
an audio fingerprint (32 bits every 25 ms: signs of band-energy changes across
frequency and time, after Haitsma and Kalker). Both survive re-encoding and scaling;
comparing with every time offset makes a trimmed excerpt match too. A still image is
fingerprinted with one PDQ hash and matches the video frame it was taken from.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pdqhash

from kinema.errors import InvalidInput
from kinema.provenance.video import iter_small_frames

FORMAT_VERSION = 1
FRAMES_PER_SECOND = 4.0
AUDIO_RATE = 8000
AUDIO_HOP = 0.025
AUDIO_WINDOW = 2048  # 0.256 s at 8 kHz: long windows make misaligned starts harmless
AUDIO_BANDS = np.geomspace(300.0, 2000.0, 34)
# A picture hash this close (of 256 bits) is the same picture. PDQ suggests 31 for
# identical frames; a copy sampled at other instants of moving video lands further off,
# while unrelated pictures sit near 128.
FRAME_DISTANCE = 70
# Below this PDQ quality a frame is too flat (a plain sky, a fade) to tell apart.
MIN_FRAME_QUALITY = 40
MATCH_THRESHOLD = 0.5
PDQ_SIZE = 256


@dataclass
class Fingerprint:
    """What Kinema keeps to recognise a video or image later; ``to_dict``/``from_dict``
    round-trip it through JSON."""

    kind: str  # "video" | "image"
    seconds: float
    frame_times: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    frame_hashes: np.ndarray = field(default_factory=lambda: np.zeros((0, 256), dtype=bool))
    frame_quality: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    audio_bits: np.ndarray = field(default_factory=lambda: np.zeros((0, 32), dtype=bool))
    audio_loud: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    label: str = ""  # the video id it belongs to, for lookups

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable form (hashes packed as base64)."""

        def pack(bits: np.ndarray) -> str:
            return base64.b64encode(np.packbits(bits.astype(bool)).tobytes()).decode("ascii")

        return {
            "version": FORMAT_VERSION,
            "kind": self.kind,
            "label": self.label,
            "seconds": round(float(self.seconds), 3),
            "frame_times": [round(float(t), 3) for t in self.frame_times],
            "frame_hashes": pack(self.frame_hashes),
            "frame_quality": [int(q) for q in self.frame_quality],
            "audio_frames": len(self.audio_loud),
            "audio_bits": pack(self.audio_bits),
            "audio_loud": pack(self.audio_loud),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fingerprint:
        """Rebuild a fingerprint saved with ``to_dict``."""
        if data.get("version") != FORMAT_VERSION:
            raise InvalidInput("This fingerprint was made by another version of Kinema.")

        def unpack(text: str, count: int) -> np.ndarray:
            raw = np.frombuffer(base64.b64decode(text), dtype=np.uint8)
            return np.unpackbits(raw)[:count].astype(bool)

        frames = len(data["frame_times"])
        audio = int(data["audio_frames"])
        return cls(
            kind=data["kind"],
            label=data.get("label", ""),
            seconds=float(data["seconds"]),
            frame_times=np.array(data["frame_times"], dtype=np.float32),
            frame_hashes=unpack(data["frame_hashes"], frames * 256).reshape(frames, 256),
            frame_quality=np.array(data["frame_quality"], dtype=np.int16),
            audio_bits=unpack(data["audio_bits"], audio * 32).reshape(audio, 32),
            audio_loud=unpack(data["audio_loud"], audio),
        )


def _pdq(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    # PDQ works on a 512-pixel picture internally; shrinking first makes it fast and
    # identical for copies of any size.
    small = cv2.resize(rgb, (PDQ_SIZE, PDQ_SIZE), interpolation=cv2.INTER_AREA)
    return _pdq_small(small)


def _pdq_small(small: np.ndarray) -> tuple[np.ndarray, int]:
    bits, quality = pdqhash.compute(np.ascontiguousarray(small))
    return bits.astype(bool), int(quality)


def _audio_samples(path: Path) -> np.ndarray:
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                return np.zeros(0, dtype=np.float32)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
            chunks: list[np.ndarray] = []
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except av.error.FFmpegError as exc:
        raise InvalidInput("The sound in that video is damaged and could not be read.") from exc
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


def audio_fingerprint(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """32 bits per 25 ms of mono 8 kHz ``samples`` and whether each step is loud enough
    to count (silence carries no information)."""
    hop = round(AUDIO_HOP * AUDIO_RATE)
    if len(samples) < AUDIO_WINDOW + hop:
        return np.zeros((0, 32), dtype=bool), np.zeros(0, dtype=bool)
    count = 1 + (len(samples) - AUDIO_WINDOW) // hop
    index = np.arange(AUDIO_WINDOW)[None, :] + hop * np.arange(count)[:, None]
    windows = samples[index] * np.hanning(AUDIO_WINDOW)[None, :]
    power = np.abs(np.fft.rfft(windows, axis=1)) ** 2
    freqs = np.fft.rfftfreq(AUDIO_WINDOW, 1.0 / AUDIO_RATE)
    edges = np.searchsorted(freqs, AUDIO_BANDS)
    bands = np.add.reduceat(power, edges[:-1], axis=1)[:, : len(AUDIO_BANDS) - 1]
    energy = np.log(bands + 1e-9)
    across = energy[:, :-1] - energy[:, 1:]
    bits = (across[1:] - across[:-1]) > 0
    loudness = power.sum(axis=1)[1:]
    loud = loudness > max(1e-6, float(np.median(loudness)) * 1e-3)
    loud &= loudness > 1e-3
    return bits, loud


def fingerprint_video(path: Path, *, label: str = "") -> Fingerprint:
    """Fingerprint a video file (pictures and sound)."""
    path = Path(path)
    times: list[float] = []
    hashes: list[np.ndarray] = []
    quality: list[int] = []
    last = 0.0
    # Each sampled frame is shrunk while its colours are converted (one step in the
    # decoder's scaler, area-averaged like ``_pdq``) instead of converting the full
    # picture first: the hashes come out the same within a bit or two. Frames nothing
    # refers to are not decoded at all; a sample then lands a frame or two later,
    # which matching already allows for (copies are sampled at other instants too).
    for seconds, small in iter_small_frames(
        path, PDQ_SIZE, every=1.0 / FRAMES_PER_SECOND, skip_unreferenced=True
    ):
        bits, q = _pdq_small(small)
        times.append(seconds)
        hashes.append(bits)
        quality.append(q)
        last = seconds
    audio_bits, loud = audio_fingerprint(_audio_samples(path))
    return Fingerprint(
        kind="video",
        label=label,
        seconds=max(last, len(loud) * AUDIO_HOP),
        frame_times=np.array(times, dtype=np.float32),
        frame_hashes=np.array(hashes, dtype=bool).reshape(-1, 256),
        frame_quality=np.array(quality, dtype=np.int16),
        audio_bits=audio_bits,
        audio_loud=loud,
    )


def fingerprint_image(image: Path | np.ndarray, *, label: str = "") -> Fingerprint:
    """Fingerprint a still picture (a path to an image file, or an RGB array)."""
    if isinstance(image, np.ndarray):
        rgb = image
    else:
        decoded = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if decoded is None:
            raise InvalidInput("That file is not an image Kinema can read.")
        rgb = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    bits, q = _pdq(rgb)
    return Fingerprint(
        kind="image",
        label=label,
        seconds=0.0,
        frame_times=np.zeros(1, dtype=np.float32),
        frame_hashes=bits[None, :],
        frame_quality=np.array([q], dtype=np.int16),
    )


def _picture_similarity(candidate: Fingerprint, known: Fingerprint) -> float | None:
    """Share of the candidate's distinct frames that appear in ``known``, or None when
    the candidate has no frames distinct enough to judge."""
    usable = candidate.frame_quality >= MIN_FRAME_QUALITY
    if not usable.any() or len(known.frame_hashes) == 0:
        return None
    ours = candidate.frame_hashes[usable]
    theirs = known.frame_hashes[known.frame_quality >= MIN_FRAME_QUALITY]
    if len(theirs) == 0:
        return 0.0
    distances = (ours[:, None, :] != theirs[None, :, :]).sum(axis=2).min(axis=1)
    return float(np.mean(distances <= FRAME_DISTANCE))


def _sound_similarity(candidate: Fingerprint, known: Fingerprint) -> float | None:
    """1 - 2 x bit error rate at the best time offset (0 for unrelated sound), or None
    when either side has too little sound to judge."""
    short, long = candidate, known
    if short.audio_loud.sum() > long.audio_loud.sum():
        short, long = long, short
    n, m = len(short.audio_loud), len(long.audio_loud)
    if n < 20 or m < n or short.audio_loud.sum() < 20:
        return None
    windows = np.lib.stride_tricks.sliding_window_view(long.audio_bits, (n, 32))[:, 0]
    loud_windows = np.lib.stride_tricks.sliding_window_view(long.audio_loud, n)
    valid = short.audio_loud[None, :] & loud_windows
    errors = (windows != short.audio_bits[None, :, :]).sum(axis=2)
    counted = valid.sum(axis=1)
    rate = np.where(counted >= 20, (errors * valid).sum(axis=1) / np.maximum(counted * 32, 1), 0.5)
    return float(max(0.0, 1.0 - 2.0 * rate.min()))


def similarity(candidate: Fingerprint, known: Fingerprint) -> float:
    """How alike two fingerprints are, 0 (unrelated) to 1 (the same), combining picture
    and sound where both can be judged."""
    scores = [
        s
        for s in (_picture_similarity(candidate, known), _sound_similarity(candidate, known))
        if s is not None
    ]
    return float(np.mean(scores)) if scores else 0.0


def match(
    candidate: Fingerprint, known: Iterable[Fingerprint], *, threshold: float = MATCH_THRESHOLD
) -> tuple[Fingerprint | None, float]:
    """The known fingerprint the candidate comes from and their similarity, or
    ``(None, best_similarity)`` when none is similar enough."""
    best: Fingerprint | None = None
    best_score = 0.0
    for item in known:
        score = similarity(candidate, item)
        if score > best_score:
            best, best_score = item, score
    if best_score < threshold:
        return None, best_score
    return best, best_score
