"""A picture given with the prompt, brought to life: fitted whole over a blurred fill of
itself, moving with a slow Ken Burns and a two-layer depth parallax.

The picture is split once per video into a near layer (its salient subject, with a
feathered edge) and a far layer (the rest, with the subject's place filled in), so the
subject can slide against its background without a seam or a ghost. A frame then costs
two resized crops and two pastes.

Where the subject is comes from a saliency map made here with NumPy: the spectral
residual of the picture's log spectrum (Hou and Zhang, 2007), a colour-distinctness term
(Achanta et al., 2009) and a centre prior.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter, ImageOps

from kinema.engines.procedural.motion import TRAVEL, ease_in_out
from kinema.engines.procedural.plan import Plan

Box = tuple[float, float, float, float]  # x0, y0, x1, y1

FILL_DIM = 0.5  # brightness of the blurred fill behind the picture
FILL_SHADOW = 0.45  # how dark the soft shadow the picture casts on its fill is
# Ken Burns: the window onto the picture is never wider than the picture, so nothing
# outside it shows; it zooms between these and pans this share of the picture's side.
ZOOM_NEAR, ZOOM_FAR = 1.04, 1.14
PAN = 0.035
FLIGHT_BOB = 0.045  # how far a flier bobs up and down (see ``motion.pose``)
NEAR_EXTRA = 0.5  # the near layer moves (and zooms) this much more than the far one
LAYER_MARGIN = 1.25  # the layers are kept this much larger than shown, for the zoom
SEGMENT_SIDE = 160  # the longer side of the grid the subject is found on, in pixels
MAX_SUBJECT_SHARE = 0.5  # salient regions larger than this share are raised to a higher level
# A near layer covers this share of the picture, else there is none (Ken Burns only).
MIN_SUBJECT_SHARE_LAYER, MAX_SUBJECT_SHARE_LAYER = 0.02, 0.75


def picture_sha256(path: str | Path) -> str:
    """The SHA-256 of the picture file, as kept in the plan."""
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_picture(path: str | Path, max_side: int = 0) -> Image.Image:
    """The picture upright (EXIF orientation applied) as RGB; with ``max_side``, a
    quick reduced copy no longer than that on its longer side."""
    with Image.open(Path(path)) as src:
        if max_side:
            src.draft("RGB", (max_side, max_side))  # JPEG: decode at a reduced scale
        picture = ImageOps.exif_transpose(src).convert("RGB")
    if max_side and max(picture.size) > max_side:
        picture.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return picture


def contain(width: int, height: int, picture_w: int, picture_h: int) -> tuple[int, int, int, int]:
    """Where the whole picture sits in a ``width`` x ``height`` frame: x, y, w, h."""
    k = min(width / picture_w, height / picture_h)
    w = min(width, max(2, round(picture_w * k)))
    h = min(height, max(2, round(picture_h * k)))
    return (width - w) // 2, (height - h) // 2, w, h


def _small(picture: Image.Image, side: int) -> Image.Image:
    small = picture.copy()
    small.thumbnail((side, side), Image.Resampling.BILINEAR)
    return small


def saliency_map(small: Image.Image) -> np.ndarray:
    """How much each part of a (small) picture stands out, 0..1, as a float32 map of
    its size."""
    w, h = small.size
    # 1. Spectral residual: what is left of the log spectrum once its smooth trend is
    # taken away marks the unexpected parts of the picture.
    gray = np.asarray(small.convert("L").resize((64, 64), Image.Resampling.BILINEAR))
    spectrum = np.fft.fft2(gray.astype(np.float32) / 255.0)
    log_amp = np.log(np.abs(spectrum) + 1e-6).astype(np.float32)
    residual = log_amp - cv2.blur(log_amp, (3, 3), borderType=cv2.BORDER_REFLECT)
    sr = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    sr = cv2.GaussianBlur(sr.astype(np.float32), (0, 0), 2.5)
    sr = cv2.resize(sr, (w, h), interpolation=cv2.INTER_LINEAR)
    # 2. Colour distinctness: how far each (smoothed) colour is from the picture's mean.
    lab = np.asarray(
        cv2.GaussianBlur(
            cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2LAB).astype(np.float32), (0, 0), 1.5
        )
    )
    mean = lab.reshape(-1, 3).mean(axis=0)
    colour = np.sqrt(((lab - mean) ** 2).sum(axis=2))
    # 3. Photographers put subjects near the middle more often than at the edges.
    sal = (0.4 * _unit(sr) + 0.6 * _unit(colour)) * (0.45 + 0.55 * _centre(w, h))
    return _unit(
        np.asarray(cv2.GaussianBlur(sal.astype(np.float32), (0, 0), max(1.0, 0.02 * max(w, h))))
    )


def sharpness_map(small: Image.Image) -> np.ndarray:
    """Where a (small) picture is in focus, 0..1: the local energy of its Laplacian. A
    shallow depth of field leaves the subject sharp and what is behind it soft."""
    gray = np.asarray(small.convert("L"), dtype=np.float32) / 255.0
    energy = np.abs(cv2.Laplacian(gray, cv2.CV_32F, ksize=3))
    return _unit(cv2.GaussianBlur(energy, (0, 0), 0.04 * max(gray.shape)))


def _centre(w: int, h: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.exp(-(((xx / w - 0.5) / 0.38) ** 2 + ((yy / h - 0.5) / 0.38) ** 2) / 2)


def _unit(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    return ((a - lo) / (hi - lo) if hi - lo > 1e-9 else np.zeros_like(a)).astype(np.float32)


@dataclass
class PictureSubject:
    """What a picture shows in front: a mask on a small grid, when the picture separates
    cleanly into a subject and what is behind it, and the subject's box either way."""

    mask: np.ndarray | None  # bool, or None: no clean split (no parallax layer)
    box: Box  # fractions of the picture


def find_subject(picture: Image.Image) -> PictureSubject:
    """The picture's subject. Tried in turn, each grown to the object's edges with
    GrabCut and kept only if it gives one solid region of a sensible size: the part in
    focus when the background is blurred, then the salient regions."""
    small = _small(picture, SEGMENT_SIDE)
    sal = saliency_map(small)
    seeds = [_focus_seed(small), _salient_seed(sal)]
    box = _mask_box(seeds[1]) if seeds[1] is not None else (0.3, 0.3, 0.7, 0.7)
    for seed in seeds:
        if seed is None:
            continue
        mask = _grow(small, seed, sal)
        if mask is not None:
            return PictureSubject(mask=mask, box=_mask_box(mask))
    return PictureSubject(mask=None, box=box)


def _focus_seed(small: Image.Image) -> np.ndarray | None:
    """The sharp part of a picture whose background is clearly out of focus."""
    sharp = sharpness_map(small)
    inside = sharp >= 0.35
    if not 0.05 <= inside.mean() <= 0.8:
        return None
    if sharp[inside].mean() < 2.5 * max(1e-3, float(sharp[~inside].mean())):
        return None  # sharp all over: no depth of field to go by
    return np.where(sharp >= 0.6, 2, inside.astype(np.uint8)).astype(np.uint8)


def _salient_seed(sal: np.ndarray) -> np.ndarray | None:
    """The salient regions: specks dropped, holes filled, the hull around them."""
    h, w = sal.shape
    for level in (0.5, 0.6, 0.7, 0.8):
        raw = (sal >= level).astype(np.uint8)
        k = max(3, round(0.06 * max(w, h)) | 1)
        raw = np.asarray(cv2.morphologyEx(raw, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)))
        count, labels, stats, _c = cv2.connectedComponentsWithStats(raw, connectivity=8)
        if count <= 1:
            continue
        areas = stats[1:, cv2.CC_STAT_AREA]
        core = _fill_holes(np.isin(labels, 1 + np.flatnonzero(areas >= 0.2 * areas.max())))
        if core.mean() > MAX_SUBJECT_SHARE:
            continue
        seed = np.zeros((h, w), np.uint8)
        points = cv2.findNonZero(core.astype(np.uint8))
        cv2.fillConvexPoly(seed, cv2.convexHull(points), 1)
        seed[core] = 2
        return seed
    return None


def _grow(small: Image.Image, seed: np.ndarray, sal: np.ndarray) -> np.ndarray | None:
    """``seed`` (1 probably the subject, 2 surely) grown to the object's edges with
    GrabCut; ``None`` unless it is one solid region of a sensible size."""
    h, w = seed.shape
    marks = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    marks[seed == 1] = cv2.GC_PR_FGD
    marks[seed == 2] = cv2.GC_FGD
    edge = max(2, round(0.03 * max(w, h)))
    border = np.ones((h, w), bool)
    border[edge:-edge, edge:-edge] = False
    marks[border & (seed == 0) & (sal < 0.35)] = cv2.GC_BGD
    if not (marks == cv2.GC_BGD).any() and not (marks == cv2.GC_PR_BGD).any():
        return None
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = np.ascontiguousarray(np.asarray(small)[:, :, ::-1])
    try:
        cv2.grabCut(bgr, marks, (0, 0, 0, 0), bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        return None  # too few pixels of one kind to model
    found = ((marks == cv2.GC_FGD) | (marks == cv2.GC_PR_FGD)).astype(np.uint8)
    found = cv2.morphologyEx(found, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _c = cv2.connectedComponentsWithStats(found, connectivity=8)
    if count <= 1:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    largest = int(np.argmax(areas))
    if areas[largest] < 0.85 * areas.sum():
        return None  # scattered pieces: no one thing in front
    mask = _fill_holes(labels == largest + 1)
    hull = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(cv2.findNonZero(mask.astype(np.uint8))), 1)
    share = float(mask.mean())
    if not (MIN_SUBJECT_SHARE_LAYER <= share <= MAX_SUBJECT_SHARE_LAYER):
        return None
    if mask.sum() < 0.55 * hull.sum():
        return None  # ragged: more likely texture than an object
    return mask


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    h, w = mask.shape
    flood = np.pad(mask.astype(np.uint8), 1)
    cv2.floodFill(flood, np.zeros((h + 4, w + 4), np.uint8), (0, 0), 1)
    return mask | (flood[1:-1, 1:-1] == 0)


def _mask_box(mask: np.ndarray) -> Box:
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return (0.3, 0.3, 0.7, 0.7)  # no clear subject: the middle of the picture
    return (xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h)


def subject_in_frame(picture: Image.Image, width: int, height: int) -> Box:
    """Where the picture's subject can be in a ``width`` x ``height`` frame over a shot
    (fractions of the frame), with room for the Ken Burns and the parallax."""
    rx, ry, rw, rh = contain(width, height, picture.width, picture.height)
    x0, y0, x1, y1 = find_subject(picture).box
    cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * 0.62, (y1 - y0) * 0.62
    fx0, fx1 = max(0.0, cx - hw), min(1.0, cx + hw)
    fy0, fy1 = max(0.0, cy - hh), min(1.0, cy + hh)
    return (
        (rx + fx0 * rw) / width,
        (ry + fy0 * rh) / height,
        (rx + fx1 * rw) / width,
        (ry + fy1 * rh) / height,
    )


@dataclass
class PictureLayers:
    """A picture split for the parallax and fitted to a frame (un-graded)."""

    far: np.ndarray  # RGB: the picture with its subject's place filled in
    near: np.ndarray | None  # RGBA crop: the subject with a feathered edge
    near_box: tuple[int, int, int, int]  # where ``near`` sits in ``far``'s pixels
    fill: Image.Image  # RGB, the frame's size: the blurred, darkened picture behind it
    rect: tuple[int, int, int, int]  # x, y, w, h: where the picture is in the frame
    salient: Box  # the subject's box, fractions of the picture

    def graded(self, lut: list[int]) -> PictureLayers:
        """These layers in a shot's light and style (``lut``: 768 values)."""
        near = None
        if self.near is not None:
            near = np.asarray(Image.fromarray(self.near, "RGBA").point([*lut, *range(256)]))
        return PictureLayers(
            far=np.asarray(Image.fromarray(self.far, "RGB").point(lut)),
            near=near,
            near_box=self.near_box,
            fill=self.fill.point(lut),
            rect=self.rect,
            salient=self.salient,
        )


def split_picture(picture: Image.Image, width: int, height: int) -> PictureLayers:
    """Fit ``picture`` whole in a ``width`` x ``height`` frame and split it into a far
    and a near layer, kept a little larger than shown so the zoom stays sharp."""
    # 1. Where it sits, and the layers' size.
    rect = contain(width, height, picture.width, picture.height)
    rw = rect[2]
    k = LAYER_MARGIN * rw / picture.width
    lw, lh = max(2, round(picture.width * k)), max(2, round(picture.height * k))
    base = picture.resize((lw, lh), Image.Resampling.LANCZOS)
    rgb = np.asarray(base)
    # 2. The subject, as a feathered alpha at the layers' size.
    subject = find_subject(picture)
    mask, salient = subject.mask, subject.box
    side = max(lw, lh)
    near: np.ndarray | None = None
    near_box = (0, 0, lw, lh)
    far_rgb = rgb
    if mask is not None:
        big = cv2.resize(mask.astype(np.float32), (lw, lh), interpolation=cv2.INTER_LINEAR)
        grow = max(3, round(0.012 * side) | 1)
        solid = cv2.dilate((big > 0.5).astype(np.uint8), np.ones((grow, grow), np.uint8))
        alpha = cv2.GaussianBlur(solid.astype(np.float32), (0, 0), max(1.0, 0.008 * side))
        # 3. The far layer: the subject's place (a little wider than the near layer's
        # edge) filled in from around it, at a reduced size where inpainting is quick.
        hole = cv2.dilate(solid, np.ones((3 * grow, 3 * grow), np.uint8))
        far_rgb = _inpaint(rgb, hole)
        ys, xs = np.nonzero(alpha > 1 / 255)
        pad = 2
        near_box = (
            max(0, int(xs.min()) - pad),
            max(0, int(ys.min()) - pad),
            min(lw, int(xs.max()) + 1 + pad),
            min(lh, int(ys.max()) + 1 + pad),
        )
        bx0, by0, bx1, by1 = near_box
        rgba = np.dstack(
            [rgb[by0:by1, bx0:bx1], np.clip(alpha[by0:by1, bx0:bx1] * 255, 0, 255).astype(np.uint8)]
        )
        near = np.ascontiguousarray(rgba)
    return PictureLayers(
        far=np.ascontiguousarray(far_rgb),
        near=near,
        near_box=near_box,
        fill=_fill(picture, width, height, rect),
        rect=rect,
        salient=salient,
    )


def _inpaint(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``rgb`` with the ``hole`` (uint8 mask) filled in from its surroundings."""
    h, w = hole.shape
    scale = min(1.0, 240 / max(w, h))
    sw, sh = max(8, round(w * scale)), max(8, round(h * scale))
    small = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA)
    small_hole = cv2.resize(hole, (sw, sh), interpolation=cv2.INTER_NEAREST) > 0
    filled = cv2.inpaint(small, small_hole.astype(np.uint8), 5, cv2.INPAINT_TELEA)
    filled = cv2.GaussianBlur(filled, (0, 0), 1.5)
    filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
    soft = cv2.GaussianBlur(hole.astype(np.float32), (0, 0), 2.0)[..., None]
    out = rgb.astype(np.float32) * (1 - soft) + filled.astype(np.float32) * soft
    return np.clip(out, 0, 255).astype(np.uint8)


def _fill(
    picture: Image.Image, width: int, height: int, rect: tuple[int, int, int, int]
) -> Image.Image:
    """The frame behind the picture: the picture itself covering the frame, blurred,
    dimmed and a little desaturated, with the soft shadow the picture casts on it."""
    small_w, small_h = max(8, width // 8), max(8, height // 8)
    cover = ImageOps.fit(picture, (small_w, small_h), Image.Resampling.BILINEAR)
    cover = cover.filter(ImageFilter.GaussianBlur(max(2.0, 0.035 * max(small_w, small_h))))
    fill = cover.resize((width, height), Image.Resampling.BICUBIC)
    arr = np.asarray(fill, dtype=np.float32)
    grey = arr.mean(axis=2, keepdims=True)
    arr = (0.7 * arr + 0.3 * grey) * FILL_DIM
    rx, ry, rw, rh = rect
    if rw < width or rh < height:
        shade = Image.new("L", (width, height), 0)
        spread = max(4, round(0.03 * min(width, height)))
        shade.paste(255, (rx, ry + spread // 3, rx + rw, ry + rh + spread // 3))
        soft = (
            np.asarray(shade.filter(ImageFilter.GaussianBlur(spread)), dtype=np.float32)[..., None]
            / 255.0
        )
        arr = arr * (1.0 - FILL_SHADOW * soft)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


@dataclass(frozen=True)
class KenBurns:
    """A shot's slow move over the picture: the window's zoom and centre (fractions of
    the picture) at the start and the end of the shot."""

    zoom: tuple[float, float]
    start: tuple[float, float]
    end: tuple[float, float]

    def at(self, u: float) -> tuple[float, float, float]:
        """Window centre x, y and zoom at ``u`` (0..1) through the shot: nearly
        constant speed, easing in and out a little at the cuts."""
        u = 0.6 * min(1.0, max(0.0, u)) + 0.4 * ease_in_out(u)
        z = self.zoom[0] + (self.zoom[1] - self.zoom[0]) * u
        cx = self.start[0] + (self.end[0] - self.start[0]) * u
        cy = self.start[1] + (self.end[1] - self.start[1]) * u
        return cx, cy, z


def ken_burns(salient: Box, move: str, seed: int, strength: float = 1.0) -> KenBurns:
    """The Ken Burns move for a shot: toward (or away from) the subject, in the
    direction the plan's camera moves, else one the seed picks."""
    rng = np.random.default_rng([seed, 17])
    if move in ("zoom_out", "dolly_out"):
        zoom_in = False
    elif move in ("zoom_in", "dolly_in", "static"):
        zoom_in = True
    else:
        zoom_in = bool(rng.random() < 0.65)
    reach = max(0.5, min(1.5, strength))
    far_zoom = ZOOM_NEAR + (ZOOM_FAR - ZOOM_NEAR) * reach
    direction = {"pan_left": -1.0, "pan_right": 1.0}.get(move, float(rng.choice([-1.0, 1.0])))
    sx, sy = (salient[0] + salient[2]) / 2, (salient[1] + salient[3]) / 2
    close = (0.5 + 0.6 * (sx - 0.5), 0.5 + 0.6 * (sy - 0.5))
    shift = direction * PAN * reach * (-1 if zoom_in else 1)
    wide = (close[0] + shift, close[1] + float(rng.uniform(-0.4, 0.4)) * PAN)
    if zoom_in:
        return KenBurns(zoom=(ZOOM_NEAR, far_zoom), start=wide, end=close)
    return KenBurns(zoom=(far_zoom, ZOOM_NEAR), start=close, end=wide)


def picture_frame(layers: PictureLayers, move: KenBurns, u: float) -> Image.Image:
    """The frame at ``u`` (0..1) through a shot: the fill, the far layer through the
    Ken Burns window, and the near layer moving a little faster over it."""
    rx, ry, rw, rh = layers.rect
    lh, lw = layers.far.shape[:2]
    cx, cy, z = move.at(u)
    # 1. The far layer: a window inside the picture, never past its edges.
    ww, wh = lw / z, lh / z
    x0 = min(max(cx * lw - ww / 2, 0.0), lw - ww)
    y0 = min(max(cy * lh - wh / 2, 0.0), lh - wh)
    scale = rw / ww
    shift = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]], np.float32)
    view = Image.fromarray(
        cv2.warpAffine(
            layers.far, shift, (rw, rh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        ),
        "RGB",
    )
    # 2. The near layer: zoomed and moved further, as something closer to the camera.
    if layers.near is not None:
        mid = move.at(0.5)
        qx = (layers.salient[0] + layers.salient[2]) / 2 * lw
        qy = (layers.salient[1] + layers.salient[3]) / 2 * lh
        # Where the subject's centre is on screen, moved against the camera's travel.
        tx = (qx - x0) * scale - (cx - mid[0]) * lw * scale * NEAR_EXTRA
        ty = (qy - y0) * scale - (cy - mid[1]) * lh * scale * NEAR_EXTRA
        near_scale = scale * (1.0 + (z - 1.0) * (1.0 + NEAR_EXTRA)) / z
        bx0, by0, bx1, by1 = layers.near_box
        # Only the part of the view the near layer covers is warped.
        left = max(0, math.floor(tx + (bx0 - qx) * near_scale))
        top = max(0, math.floor(ty + (by0 - qy) * near_scale))
        right = min(rw, math.ceil(tx + (bx1 - qx) * near_scale))
        bottom = min(rh, math.ceil(ty + (by1 - qy) * near_scale))
        if right > left and bottom > top:
            shift = np.array(
                [
                    [near_scale, 0, tx + (bx0 - qx) * near_scale - left],
                    [0, near_scale, ty + (by0 - qy) * near_scale - top],
                ],
                np.float32,
            )
            near = Image.fromarray(
                cv2.warpAffine(
                    layers.near,
                    shift,
                    (right - left, bottom - top),
                    flags=cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_CONSTANT,
                    borderValue=(0, 0, 0, 0),
                ),
                "RGBA",
            )
            view.paste(near, (left, top), near)
    frame = layers.fill.copy()
    frame.paste(view, (rx, ry))
    return frame


def place_beside(plan: Plan, box: Box) -> None:
    """Move the subjects drawn over a picture out of its subject's ``box`` (fractions
    of the frame): into the band above or below it where there is room (fliers above,
    the rest below), else into the wider side. Subjects the picture shows themselves
    (``in_photo``) and riders (placed with what carries them) stay as they are."""
    x0, y0, x1, y1 = box
    aspect = plan.height / plan.width
    for shot in plan.shots:
        for subject in shot.subjects:
            if subject.in_photo or subject.relation in ("on", "in"):
                continue
            size = subject.scale * (1.0 - 0.45 * subject.depth)
            reach = TRAVEL.get(subject.action, 0.0) / 2
            half = 0.5 * size * aspect
            left, right = subject.x - half - reach, subject.x + half + reach
            top, bottom = subject.y - size, subject.y
            if right <= x0 or left >= x1 or bottom <= y0 or top >= y1:
                continue  # already clear of it
            # The bands above and below the subject: from 3% off the frame's edge to
            # 2% off the subject's box (and clear of a flier's bobbing).
            gap = 0.02 + (FLIGHT_BOB if subject.action == "fly" else 0.0)
            bands = [("above", y0 - 0.03 - gap), ("below", 0.97 - gap - y1)]
            if subject.action != "fly" and subject.y >= 0.5:
                bands.reverse()
            side, room = next(((s, r) for s, r in bands if r >= 0.12), ("", 0.0))
            if side:
                fit = min(size, 0.85 * room)
                subject.scale = round(subject.scale * fit / size, 4)
                subject.y = round(
                    y0 - gap - 0.5 * (room - fit)
                    if side == "above"
                    else y1 + gap + fit + 0.5 * (room - fit),
                    4,
                )
                continue
            room_left, room_right = x0, 1.0 - x1
            room = max(room_left, room_right)
            fit = min(size, 0.9 * room / aspect) if room > 0 else size
            subject.scale = round(subject.scale * fit / size, 4)
            middle = room_left / 2 if room_left >= room_right else 1.0 - room_right / 2
            subject.x = round(middle, 4)
