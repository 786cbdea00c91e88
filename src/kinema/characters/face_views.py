"""The views of a person's face kept from their capture, so videos can show them turned
the way they move: front, turned left and right, looking up and down.

Each view is the head cut from one capture frame (background removed, fading out
under the chin) with where its chin and mouth are. They travel as one *cameo archive*
(a zip of ``cameo.json`` and one PNG per view), sealed at rest like the cutout, and
are unpacked beside the cutout for a render (``kinema.engines.procedural.cameo``
reads them).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from kinema.characters.cutout import NoClearSubject, person_foreground
from kinema.characters.faces import FaceObservation
from kinema.engines.procedural.cameo import MANIFEST, VIEWS

# Views are kept with the face (brow to chin) at most this many pixels tall.
FACE_PIXELS = 160
# A turned view is taken where the turn is about this share of the clip's widest turn
# that way: turned enough to show it, not so far that the face is hard to make out.
TURN_SHARE = 0.35
# Largest archive accepted when unpacking (the views are a few small PNGs).
MAX_ARCHIVE_BYTES = 8_000_000


def head_view(
    image: np.ndarray, landmarks: np.ndarray
) -> tuple[Image.Image, dict[str, list[float]]]:
    """The head in an RGB frame, cut out (RGBA, soft edge, faded under the chin), and
    where its chin and mouth are (pixels of the returned image)."""
    foreground, _box = person_foreground(image, landmarks)
    height, width = image.shape[:2]
    xs, ys = landmarks[:, 0], landmarks[:, 1]
    face_w = float(xs[0:17].max() - xs[0:17].min())
    brow_y, chin_y = float(ys[17:27].min()), float(ys[8])
    face_h = max(chin_y - brow_y, 1.0)
    cx = float(landmarks[27:31, 0].mean())
    head_top = brow_y - 0.75 * face_h
    left = int(max(0, cx - 0.95 * face_w))
    right = int(min(width, cx + 0.95 * face_w))
    top = int(max(0, head_top - 0.1 * face_h))
    bottom = int(min(height, chin_y + 0.3 * face_h))
    rows = np.arange(top, bottom, dtype=np.float32)[:, None]
    cols = np.arange(left, right, dtype=np.float32)[None, :]
    # The head: the cut-out person, within an oval around the head, fading out below
    # the chin so the figure's neck takes over.
    centre_y = (head_top + chin_y) / 2
    oval = ((cols - cx) / (0.78 * face_w)) ** 2 + ((rows - centre_y) / (0.62 * (chin_y - head_top)
                                                                          + 0.1 * face_h)) ** 2
    keep = np.clip((1.15 - oval) / 0.3, 0, 1)
    # Below the jaw line (the collar, the shoulders) goes: the figure has its own.
    jaw = landmarks[0:17]
    order = np.argsort(jaw[:, 0])
    jaw_y = np.interp(cols[0], jaw[order, 0], jaw[order, 1])[None, :]
    # Beside the jaw, hair may fall lower than the ears: keep it to about the mouth.
    beside = (cols < jaw[:, 0].min()) | (cols > jaw[:, 0].max())
    jaw_y = np.where(beside, np.maximum(jaw_y, chin_y - 0.3 * face_h), jaw_y)
    fade = np.clip((jaw_y + 0.04 * face_h - rows) / np.where(beside, 0.2, 0.08) / face_h, 0, 1)
    person = foreground[top:bottom, left:right].astype(np.float32)
    soft = np.asarray(cv2.GaussianBlur(person, (0, 0), max(0.8, 0.02 * face_w)), np.float32)
    alpha = np.clip(np.minimum(soft, keep) * fade, 0, 1)
    rgba = np.dstack([image[top:bottom, left:right], (alpha * 255).astype(np.uint8)])
    art = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    scale = min(1.0, FACE_PIXELS / face_h)
    if scale < 1.0:
        art = art.resize((max(1, round(art.width * scale)), max(1, round(art.height * scale))),
                         Image.Resampling.LANCZOS)
    lips = landmarks[48:60]
    spot = {
        "chin": [(float(landmarks[8, 0]) - left) * scale, (chin_y - top) * scale],
        "mouth": [(float(lips[:, 0].min()) - left) * scale,
                  (float(lips[:, 1].min()) - top) * scale,
                  (float(lips[:, 0].max()) - left) * scale,
                  (float(lips[:, 1].max()) - top) * scale],
    }
    return art, spot


def _pick_views(observations: Sequence[FaceObservation], front: FaceObservation,
                yaw_turn: float, pitch_turn: float) -> dict[str, FaceObservation]:
    rest_yaw = float(np.median([o.yaw for o in observations]))
    rest_pitch = float(np.median([o.pitch for o in observations]))
    picked = {"front": front}
    # "left" is the person's left: the nose toward the right of the picture.
    ways = {"left": lambda o: (o.yaw - rest_yaw) / yaw_turn,
            "right": lambda o: (rest_yaw - o.yaw) / yaw_turn,
            "up": lambda o: (rest_pitch - o.pitch) / pitch_turn,
            "down": lambda o: (o.pitch - rest_pitch) / pitch_turn}
    for name, score in ways.items():
        turned = [(score(o), o) for o in observations if score(o) >= 1.0]
        if not turned:
            continue
        widest = max(s for s, _o in turned)
        picked[name] = min(turned, key=lambda item: abs(item[0] - TURN_SHARE * widest))[1]
    return picked


def capture_face_views(images: Mapping[float, np.ndarray], observations: Sequence[FaceObservation],
                       front: FaceObservation, *, yaw_turn: float,
                       pitch_turn: float) -> bytes:
    """The cameo archive of a person's capture: the ``front`` face and, where the clip
    shows them, turned views. ``images`` are the frames by time; ``yaw_turn`` and
    ``pitch_turn`` are how far a head must move to count as turned."""
    manifest: dict[str, object] = {"kind": "person", "views": {}}
    views: dict[str, dict[str, object]] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, seen in _pick_views(observations, front, yaw_turn, pitch_turn).items():
            try:
                art, spot = head_view(images[seen.time], seen.landmarks)
            except NoClearSubject:
                continue
            png = io.BytesIO()
            art.save(png, format="PNG", optimize=True)
            archive.writestr(f"{name}.png", png.getvalue())
            views[name] = {"file": f"{name}.png", **spot}
        manifest["views"] = views
        archive.writestr(MANIFEST, json.dumps(manifest))
    return buffer.getvalue()


def unpack_cameo(archive: bytes | None, kind: str, folder: Path) -> tuple[Path, ...]:
    """Write a character's cameo folder: the views in ``archive`` (if any) and a
    manifest naming its ``kind``. Only the known file names are written. Returns the
    view pictures, front first."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {"kind": kind, "views": {}}
    if archive and len(archive) <= MAX_ARCHIVE_BYTES:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            names = set(opened.namelist())
            stored = json.loads(opened.read(MANIFEST)) if MANIFEST in names else {}
            views: dict[str, object] = {}
            for name, spec in dict(stored.get("views") or {}).items():
                file = f"{name}.png"
                if name in VIEWS and file in names:
                    (folder / file).write_bytes(opened.read(file))
                    views[name] = {**dict(spec), "file": file}
            manifest["views"] = views
    (folder / MANIFEST).write_text(json.dumps(manifest))
    written = dict(manifest["views"])  # type: ignore[call-overload]
    return tuple(folder / f"{name}.png" for name in VIEWS if name in written)
