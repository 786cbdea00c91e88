"""Looking for a character in rendered frames: where the plan puts it, whose face is
there, and whether its body moves."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Any

import av
import cv2
import numpy as np
from capture_clips import astronaut_portrait

from kinema.characters.faces import descriptor_distance, face_models, observe_face
from kinema.engines.procedural.motion import pose
from kinema.engines.procedural.plan import Plan
from kinema.engines.procedural.render import camera_at

# The verification threshold: closer than this is the same person.
SAME_PERSON = 0.6
# Head windows are scaled to this side, so the face is about 100 px for the detector.
WINDOW_SIDE = 400


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def portrait_descriptor() -> np.ndarray:
    seen = observe_face(face_models(), astronaut_portrait(), 0.0)
    assert seen is not None
    return seen.descriptor


def cameo_subjects(plan: dict[str, Any], handle: str) -> list[dict[str, Any]]:
    return [s for shot in plan["shots"] for s in shot["subjects"] if s.get("character") == handle]


@dataclass(frozen=True)
class Figure:
    """Where a subject stands in one frame: its feet (x, y) and height, in pixels."""

    x: float
    y: float
    height: float


def figure_at(plan: dict[str, Any], subject_id: str, index: int) -> Figure | None:
    """Where the plan puts ``subject_id`` in frame ``index`` (the renderer's own motion
    and camera)."""
    parsed = Plan.from_dict(plan)
    t = index / parsed.fps
    shot_index, shot = next(((i, s) for i, s in enumerate(parsed.shots)
                             if t < s.start + s.duration - 1e-9),
                            (len(parsed.shots) - 1, parsed.shots[-1]))
    subject = next((s for s in shot.subjects if s.id == subject_id), None)
    if subject is None:
        return None
    tl = t - shot.start
    p = pose(subject, shot, tl, 0.0, {s.id: s for s in shot.subjects})
    ox, oy, zoom = camera_at(shot, tl, parsed.seed + shot_index)
    w, h = parsed.width, parsed.height
    parallax = 1.0 - 0.5 * subject.depth
    z = 1.0 + parallax * (zoom - 1.0)
    sx = (p.x * w - w / 2 - parallax * ox * w) * z + w / 2
    sy = (p.y * h - h / 2 - parallax * oy * h) * z + h / 2
    return Figure(sx, sy, subject.scale * h * (1.0 - 0.45 * subject.depth) * p.scale * z)


@dataclass(frozen=True)
class FaceFound:
    distance: float  # to the expected person's descriptor
    box: tuple[int, int, int, int]  # in frame pixels


def face_on(frame: np.ndarray, figure: Figure, known: np.ndarray) -> FaceFound | None:
    """The face closest to ``known`` where ``figure``'s head is (the top of the
    figure), from a window scaled up so a small face is big enough for the detector;
    the careful (CNN) detector looks again when the quick one finds nothing."""
    side = 0.8 * figure.height
    cx, cy = figure.x, figure.y - 0.8 * figure.height
    height, width = frame.shape[:2]
    left, top = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
    right, bottom = int(min(width, cx + side / 2)), int(min(height, cy + side / 2))
    crop = np.ascontiguousarray(frame[top:bottom, left:right])
    if crop.size == 0:
        return None
    scale = WINDOW_SIDE / max(crop.shape[:2])
    big = cv2.resize(crop, (round(crop.shape[1] * scale), round(crop.shape[0] * scale)),
                     interpolation=cv2.INTER_CUBIC)
    models = face_models()
    best: FaceFound | None = None
    with models.lock:
        rects = list(models.detector(big, 0))
        if not rects:
            rects = [d.rect for d in models.cnn_detector(big, 0) if d.confidence > 0.3]
        for rect in rects:
            shape = models.predictor(big, rect)
            found = np.array(models.encoder.compute_face_descriptor(big, shape))
            distance = descriptor_distance(found, known)
            if best is None or distance < best.distance:
                box = (left + round(rect.left() / scale), top + round(rect.top() / scale),
                       left + round(rect.right() / scale), top + round(rect.bottom() / scale))
                best = FaceFound(distance, box)
    return best


def body_motion(frames: list[np.ndarray], figures: list[Figure]) -> tuple[float, float]:
    """Mean change between consecutive frames in the body (the lower part of each
    figure), and the same in a patch of the same size away from the figure (rain,
    waves and the camera change that too)."""
    height, width = frames[0].shape[:2]
    body, elsewhere = [], []
    for (a, b), figure in zip(itertools.pairwise(frames), figures, strict=False):
        rows = slice(int(max(0, figure.y - 0.6 * figure.height)), int(min(height, figure.y)))
        half = int(0.3 * figure.height)
        cx = int(figure.x)
        away = cx + width // 3 if cx < width // 2 else cx - width // 3
        diff = np.abs(a.astype(int) - b.astype(int))
        body.append(float(diff[rows, max(0, cx - half): cx + half].mean()))
        elsewhere.append(float(diff[rows, max(0, away - half): away + half].mean()))
    return float(np.mean(body)), float(np.mean(elsewhere))
