"""Nudity checks for input images and sampled output frames, with NudeNet's detector
(its ONNX model ships inside the ``nudenet`` wheel; it runs on onnxruntime, offline)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kinema.errors import InvalidInput
from kinema.provenance.video import iter_frames
from kinema.safety.verdict import SEXUAL, Verdict

# Exposed sexual body parts and the detector confidence from which each one counts.
# Covered parts, bellies, feet, armpits and faces never do.
EXPOSED_THRESHOLDS: dict[str, float] = {
    "FEMALE_GENITALIA_EXPOSED": 0.35,
    "MALE_GENITALIA_EXPOSED": 0.35,
    "ANUS_EXPOSED": 0.35,
    "FEMALE_BREAST_EXPOSED": 0.45,
    "BUTTOCKS_EXPOSED": 0.5,
}
FACE_CLASSES = ("FACE_FEMALE", "FACE_MALE")
MIN_FACE_SCORE = 0.5

_lock = threading.Lock()


@dataclass(frozen=True)
class Detection:
    """One thing the detector found: its class, confidence and box (x, y, w, h)."""

    label: str
    score: float
    box: tuple[int, int, int, int]


@lru_cache(maxsize=1)
def _detector() -> Any:
    from nudenet import NudeDetector

    return NudeDetector()


def _as_bgr(image: Path | str | bytes | np.ndarray) -> np.ndarray:
    if isinstance(image, np.ndarray):
        array = image
        if array.ndim == 2:
            return cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
        if array.shape[2] == 4:
            return cv2.cvtColor(array, cv2.COLOR_RGBA2BGR)
        return cv2.cvtColor(array, cv2.COLOR_RGB2BGR)
    if isinstance(image, bytes):
        decoded = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR)
    else:
        decoded = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if decoded is None:
        raise InvalidInput("That file is not an image Kinema can read.")
    return decoded


def detect(image: Path | str | bytes | np.ndarray) -> list[Detection]:
    """Everything NudeNet sees in ``image`` (a path, encoded bytes, or an RGB array)."""
    bgr = np.ascontiguousarray(_as_bgr(image)[:, :, :3])
    with _lock:  # one inference session, shared
        found = _detector().detect(bgr)
    return [
        Detection(label=d["class"], score=float(d["score"]), box=tuple(d["box"])) for d in found
    ]


def judge_detections(detections: Sequence[Detection]) -> Verdict:
    """Refuse when any exposed sexual body part is detected confidently enough."""
    for detection in detections:
        threshold = EXPOSED_THRESHOLDS.get(detection.label)
        if threshold is not None and detection.score >= threshold:
            return Verdict.refuse(
                SEXUAL,
                matched=f"{detection.label} {detection.score:.2f}",
                message="Kinema doesn't accept or make images with nudity.",
            )
    return Verdict.allow()


def check_image(image: Path | str | bytes | np.ndarray) -> Verdict:
    """Moderate one picture: an input image or a frame of a rendered video."""
    return judge_detections(detect(image))


def faces(image: Path | str | bytes | np.ndarray) -> list[Detection]:
    """Faces in ``image``, for likeness protection (an uploaded photo with a real face
    must show the uploader's own verified character)."""
    return [d for d in detect(image) if d.label in FACE_CLASSES and d.score >= MIN_FACE_SCORE]


def check_frames(frames: Iterable[np.ndarray]) -> Verdict:
    """Moderate a series of RGB frames; the first refusal wins."""
    for frame in frames:
        verdict = check_image(frame)
        if not verdict.allowed:
            return verdict
    return Verdict.allow()


def check_video(path: Path, *, every_seconds: float = 1.0) -> Verdict:
    """Moderate a rendered video by one frame every ``every_seconds``."""
    return check_frames(rgb for _, rgb in iter_frames(Path(path), every=every_seconds))
