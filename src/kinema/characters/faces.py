"""The face pipeline that verifies a person: dlib's face detector, its 68 landmarks and
128-d face descriptors, with the models shipped in ``face-recognition-models`` (nothing
is downloaded).

Head pose is read from the landmarks: ``yaw`` is where the nose tip sits between the two
sides of the jaw (positive when it moves toward the right of an unmirrored picture, i.e.
when the person turns to *their* left) and ``pitch`` is where it sits between the eyes
and the chin (smaller when the person looks up).
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Faces smaller than this share of the main face's area are face-like patches (a badge,
# a poster, a pattern), not a second person.
SECOND_FACE_AREA_SHARE = 0.4
# Detection works on frames scaled to at most this many pixels on the long side.
DETECTION_SIDE = 480


class FaceModelsMissing(RuntimeError):
    """The bundled face models are not installed."""


def models_dir() -> Path:
    """Where ``face-recognition-models`` keeps its model files.

    The package's own ``__init__`` needs ``pkg_resources``, which recent setuptools no
    longer ships, so the folder is found without importing it."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelsMissing(
            "Face verification needs the 'face-recognition-models' package; install it."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class FaceModels:
    """dlib's detectors, landmark predictor and descriptor network, loaded once."""

    def __init__(self) -> None:
        import dlib

        folder = models_dir()
        self._dlib = dlib
        self.detector = dlib.get_frontal_face_detector()
        # The CNN detector also finds faces turned well away from the camera.
        self.cnn_detector = dlib.cnn_face_detection_model_v1(
            str(folder / "mmod_human_face_detector.dat")
        )
        self.predictor = dlib.shape_predictor(str(folder / "shape_predictor_68_face_landmarks.dat"))
        self.encoder = dlib.face_recognition_model_v1(
            str(folder / "dlib_face_recognition_resnet_model_v1.dat")
        )
        self.lock = threading.Lock()

    def rectangle(self, left: int, top: int, right: int, bottom: int) -> Any:
        return self._dlib.rectangle(left, top, right, bottom)


_models: FaceModels | None = None
_models_lock = threading.Lock()


def face_models() -> FaceModels:
    """The shared, lazily loaded face models."""
    global _models
    with _models_lock:
        if _models is None:
            _models = FaceModels()
        return _models


@dataclass(frozen=True)
class FaceObservation:
    """The main face in one frame."""

    time: float
    box: tuple[int, int, int, int]  # left, top, right, bottom in frame pixels
    landmarks: np.ndarray  # (68, 2) in frame pixels
    descriptor: np.ndarray  # (128,)
    yaw: float
    pitch: float
    other_people: int  # other faces at least SECOND_FACE_AREA_SHARE of the main one


def head_pose(landmarks: np.ndarray) -> tuple[float, float]:
    """``(yaw, pitch)`` from 68 landmarks; see the module docstring for the signs."""
    left_jaw, right_jaw = landmarks[0:3].mean(axis=0), landmarks[14:17].mean(axis=0)
    nose = landmarks[30]
    width = max(float(right_jaw[0] - left_jaw[0]), 1.0)
    yaw = (float(nose[0]) - float(left_jaw[0])) / width - 0.5
    eyes_y = float(landmarks[36:48, 1].mean())
    chin_y = float(landmarks[8, 1])
    height = max(chin_y - eyes_y, 1.0)
    pitch = (float(nose[1]) - eyes_y) / height
    return yaw, pitch


def _area(box: tuple[int, int, int, int]) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def observe_face(
    models: FaceModels, image: np.ndarray, time: float, *, thorough: bool = False
) -> FaceObservation | None:
    """The main (largest) face in an RGB frame with its landmarks, descriptor and pose,
    or None when there is no face. ``thorough`` also tries the slower CNN detector,
    which finds faces turned well away from the camera."""
    height, width = image.shape[:2]
    scale = min(1.0, DETECTION_SIDE / max(height, width))
    small = image
    if scale < 1.0:
        import cv2

        small = cv2.resize(image, (round(width * scale), round(height * scale)))
    small = np.ascontiguousarray(small)
    with models.lock:
        found = [(r.left(), r.top(), r.right(), r.bottom()) for r in models.detector(small, 1)]
        if not found and thorough:
            found = [
                (d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom())
                for d in models.cnn_detector(small, 1)
                if d.confidence > 0.5
            ]
        if not found:
            return None
        boxes = [tuple(round(v / scale) for v in box) for box in found]
        boxes.sort(key=_area, reverse=True)
        main = boxes[0]
        others = sum(1 for b in boxes[1:] if _area(b) >= SECOND_FACE_AREA_SHARE * _area(main))
        frame = np.ascontiguousarray(image)
        shape = models.predictor(frame, models.rectangle(*main))
        points = np.array([(shape.part(i).x, shape.part(i).y) for i in range(68)], dtype=float)
        descriptor = np.array(models.encoder.compute_face_descriptor(frame, shape), dtype=float)
    yaw, pitch = head_pose(points)
    return FaceObservation(
        time=time,
        box=(int(main[0]), int(main[1]), int(main[2]), int(main[3])),
        landmarks=points,
        descriptor=descriptor,
        yaw=yaw,
        pitch=pitch,
        other_people=others,
    )


def descriptor_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two face descriptors (under about 0.6: the same person)."""
    return float(np.linalg.norm(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)))
