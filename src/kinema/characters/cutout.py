"""Cutting a character out of its capture frame, background removed (OpenCV GrabCut).

A person's cut is seeded from the face landmarks: the landmark hull is certainly them,
an ellipse around the head and a block under the chin (neck and shoulders) probably
are, and everything outside the head-and-shoulders box certainly is not. A pet or an
object is cut from a centre rectangle, the way a photo of one is usually framed.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

# GrabCut runs on a copy at most this many pixels on the long side (the mask is scaled
# back up), which keeps it to a fraction of a second.
WORK_SIDE = 360
ITERATIONS = 5
# A cut covering less than this share of its box found no clear subject.
MIN_SUBJECT_SHARE = 0.04


class NoClearSubject(ValueError):
    """GrabCut found nothing that stands out from the background."""


def _grabcut(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Run GrabCut on ``image`` (RGB) from a seed ``mask`` of GC_* labels; returns a
    boolean foreground mask at the image's size."""
    height, width = image.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small_mask = cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST)
    if not np.any(np.isin(small_mask, (cv2.GC_BGD, cv2.GC_PR_BGD))) or not np.any(
        np.isin(small_mask, (cv2.GC_FGD, cv2.GC_PR_FGD))
    ):
        raise NoClearSubject("The picture has no room to tell subject and background apart.")
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    cv2.grabCut(bgr, small_mask, (0, 0, 0, 0), bgd, fgd, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    fg = np.isin(small_mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    # Keep the biggest piece only: stray specks of background are not the subject.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if count > 1:
        biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        fg = (labels == biggest).astype(np.uint8)
    return cv2.resize(fg, (width, height), interpolation=cv2.INTER_NEAREST).astype(bool)


def _rgba_png(image: np.ndarray, foreground: np.ndarray, box: tuple[int, int, int, int]) -> bytes:
    left, top, right, bottom = box
    # A soft one-or-two pixel edge looks natural when drawn onto a scene.
    blurred = np.asarray(
        cv2.GaussianBlur(
            foreground.astype(np.float32), (0, 0), sigmaX=max(0.8, image.shape[1] / 400)
        ),
        dtype=np.float32,
    )
    alpha = np.where(foreground, np.maximum(blurred, 0.5), blurred)
    rgba = np.dstack([image, np.clip(alpha * 255, 0, 255).astype(np.uint8)])
    crop = rgba[top:bottom, left:right]
    ys, xs = np.nonzero(crop[:, :, 3] > 8)
    if not len(xs):
        raise NoClearSubject("Nothing was left after removing the background.")
    crop = crop[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    buffer = io.BytesIO()
    Image.fromarray(crop, "RGBA").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _check_share(foreground: np.ndarray, box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    share = float(foreground[top:bottom, left:right].mean()) if right > left else 0.0
    if share < MIN_SUBJECT_SHARE:
        raise NoClearSubject("No clear subject stands out from the background.")


def person_cutout(image: np.ndarray, landmarks: np.ndarray) -> bytes:
    """An RGBA PNG of the person's head and shoulders from an RGB frame and the 68 face
    landmarks found in it."""
    foreground, box = person_foreground(image, landmarks)
    return _rgba_png(image, foreground, box)


def person_foreground(
    image: np.ndarray, landmarks: np.ndarray
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The person's pixels (a boolean mask at the frame's size) and their
    head-and-shoulders box, cut from an RGB frame and its 68 face landmarks."""
    height, width = image.shape[:2]
    xs, ys = landmarks[:, 0], landmarks[:, 1]
    face_w = float(xs.max() - xs.min())
    brow_y, chin_y = float(ys[17:27].min()), float(ys[8])
    face_h = chin_y - brow_y
    cx = float(landmarks[27:31, 0].mean())
    head_top = brow_y - 0.75 * face_h
    box = (
        int(max(0, cx - 1.3 * face_w)),
        int(max(0, head_top - 0.1 * face_h)),
        int(min(width, cx + 1.3 * face_w)),
        int(min(height, chin_y + 1.3 * face_h)),
    )
    mask = np.full((height, width), cv2.GC_BGD, np.uint8)
    left, top, right, bottom = box
    mask[top:bottom, left:right] = cv2.GC_PR_BGD
    head_centre = (round(cx), round((head_top + chin_y) / 2))
    head_axes = (round(0.62 * face_w), round(0.55 * (chin_y - head_top)))
    cv2.ellipse(mask, head_centre, head_axes, 0, 0, 360, int(cv2.GC_PR_FGD), -1)
    # Neck and shoulders: a block under the chin that widens downward.
    shoulders = np.array(
        [
            (cx - 0.3 * face_w, chin_y),
            (cx + 0.3 * face_w, chin_y),
            (cx + 1.1 * face_w, bottom),
            (cx - 1.1 * face_w, bottom),
        ],
        dtype=np.int32,
    )
    cv2.fillPoly(mask, [shoulders], int(cv2.GC_PR_FGD))
    hull = cv2.convexHull(landmarks.astype(np.int32))
    cv2.fillConvexPoly(mask, hull, int(cv2.GC_FGD))
    mask[:top] = cv2.GC_BGD
    foreground = _grabcut(image, mask)
    _check_share(foreground, box)
    return foreground, box


def subject_cutout(image: np.ndarray) -> bytes:
    """An RGBA PNG of the main subject (a pet or an object) of an RGB frame, seeded from
    a centre rectangle."""
    height, width = image.shape[:2]
    box = (round(0.06 * width), round(0.06 * height), round(0.94 * width), round(0.94 * height))
    left, top, right, bottom = box
    mask = np.full((height, width), cv2.GC_BGD, np.uint8)
    mask[top:bottom, left:right] = cv2.GC_PR_FGD
    foreground = _grabcut(image, mask)
    _check_share(foreground, box)
    return _rgba_png(image, foreground, box)
