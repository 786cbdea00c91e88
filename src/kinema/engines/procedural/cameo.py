"""Characters (cameos) drawn as a whole figure that acts: a person's own face on a body
that walks, runs, dances, sits, talks or waves; a pet's or an object's own cutout that
hops, rolls and sways.

A person's body is a small rigged figure in the OpenMoji manner (flat colours, dark
outline): a torso, two-part arms and legs, hands and shoes, posed per frame from the
action, with skin and shirt colours read from the capture. The head is the person's
face from the capture, fitted on the neck with a soft edge. The capture keeps a few
views of the face (front, turned left and right, up and down); a figure that travels
looks where it goes, a dancer turns with the beat, a jumper looks up at the top of the
jump. The mouth opens with the speech and takes the shape of the sound being said
(``audio_visemes``): lips stretched for e and i, narrowed and pushed for o and u,
pressed for m, b and p, the lower lip under the teeth for f and v, all warped on the
person's own face.

Everything a character needs is in its *cameo folder* beside the cutout the engine is
given (``cameo_folder``): ``cameo.json`` (kind and, per view, where the chin and the
mouth are) and one RGBA PNG per view. A cutout without a folder (a character captured
before views were kept) is still drawn as a figure: its head is cut from the
head-and-shoulders cutout.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from kinema.engines.procedural.audio_visemes import CLOSED, OPEN, ROUND, TEETH, WIDE
from kinema.engines.procedural.glyphs import glyph_image
from kinema.engines.procedural.motion import JUMP_AIR, JUMP_PERIOD, STEP_PERIOD
from kinema.engines.procedural.plan import Subject

FOLDER_SUFFIX = ".cameo"
MANIFEST = "cameo.json"
VIEWS = ("front", "left", "right", "up", "down")
# Frames per action cycle: a figure's pose is drawn for this many phases and reused.
PHASES = 16
# Seconds per cycle of each action's body movement (a walk cycle is two steps).
CYCLE = {"walk": 2 * STEP_PERIOD["walk"], "run": 2 * STEP_PERIOD["run"],
         "chase": 2 * STEP_PERIOD["chase"], "dance": 2.0, "wave": 0.8, "talk": 1.6,
         "idle": 3.0, "play": 0.8, "ride": 0.9, "swim": 1.4, "fly": 1.6, "surf": 2.8,
         "spin": 1.0, "drive": 2.0, "sit": 3.0, "sleep": 3.0, "fall": 0.5, "jump": JUMP_PERIOD}
# Actions whose figure faces its way of travel (side view): the face turns that way too.
TRAVELLING = frozenset(("walk", "run", "chase", "ride", "drive", "fly", "swim", "surf"))
SEATED = frozenset(("sit", "ride", "drive"))
# Figures at least this tall (px) show the face turned; smaller ones face the camera.
TURNED_MIN_HEIGHT = 300

# Body proportions as fractions of the figure's height (feet at 1.0): a big head, as
# OpenMoji people have, so the face reads at phone-screen sizes.
HEAD = 0.38  # crown to chin
NECK = 0.035
SHOULDER_Y = HEAD + NECK + 0.015
HIP_Y = 0.66
SHOULDER_HALF, HIP_HALF = 0.105, 0.075
UPPER_ARM, FOREARM, HAND = 0.13, 0.12, 0.03
THIGH, SHIN, FOOT = 0.165, 0.155, 0.055
ARM_WIDTH, LEG_WIDTH = 0.052, 0.066
OUTLINE_COLOR = (38, 38, 38)
SUPERSAMPLE = 2
TROUSERS = (58, 66, 98)
SHOES = (52, 46, 46)


@dataclass(frozen=True)
class FaceView:
    """One captured view of the head: RGBA art (background removed, soft edge) with the
    chin point and the mouth box in its pixels."""

    image: Image.Image
    chin: tuple[float, float]
    mouth: tuple[float, float, float, float] | None  # x0, y0, x1, y1; y1 is the lower lip


@dataclass(frozen=True)
class CameoLook:
    """What a character's figure is made of."""

    kind: str  # person | pet | object
    cutout: Image.Image  # RGBA, cropped to the subject
    views: dict[str, FaceView]
    skin: tuple[int, int, int]
    shirt: tuple[int, int, int]


def cameo_folder(appearance: Path | str) -> Path:
    """Where a character's views lie for the cutout at ``appearance``:
    ``character-ada.png`` -> ``character-ada.cameo/``."""
    path = Path(appearance)
    return path.with_name(path.stem + FOLDER_SUFFIX)


# --- loading --------------------------------------------------------------------------


@lru_cache(maxsize=32)
def load_cameo(appearance: str, noun: str = "person") -> CameoLook:
    """The character whose cutout is at ``appearance``; ``noun`` (the plan subject's
    noun: person, pet or object) is its kind when the folder does not say. A
    ``glyph_figure`` key is a person drawn from emoji artwork instead."""
    if appearance.startswith(GLYPH_FIGURE):
        return _glyph_look(appearance[len(GLYPH_FIGURE):])
    with Image.open(appearance) as src:
        cutout = src.convert("RGBA")
    cutout = cutout.crop(cutout.getbbox() or (0, 0, cutout.width, cutout.height))
    folder = cameo_folder(appearance)
    manifest: dict = {}
    if (folder / MANIFEST).is_file():
        manifest = json.loads((folder / MANIFEST).read_text())
    kind = str(manifest.get("kind") or noun)
    if kind not in ("person", "pet", "object"):
        kind = "person"
    views: dict[str, FaceView] = {}
    for name, spec in (manifest.get("views") or {}).items():
        file = folder / str(spec.get("file", f"{name}.png"))
        if name not in VIEWS or not file.is_file():
            continue
        with Image.open(file) as src:
            image = src.convert("RGBA")
        try:
            chin = (float(spec["chin"][0]), float(spec["chin"][1]))
            m = [float(v) for v in spec.get("mouth") or ()]
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # a view without its points cannot be fitted
        mouth = (m[0], m[1], m[2], m[3]) if len(m) == 4 else None
        views[name] = FaceView(image=image, chin=chin, mouth=mouth)
    if kind == "person" and "front" not in views:
        views["front"] = _head_from_cutout(cutout)
    skin, shirt = _colours(cutout, views.get("front"))
    return CameoLook(kind=kind, cutout=cutout, views=views, skin=skin, shirt=shirt)


# Where the chin is in a head-and-shoulders cutout (``characters.cutout.person_cutout``
# frames 0.75 face heights of hair above the brows and 1.3 below the chin).
CUTOUT_CHIN = 0.57


# People drawn from emoji artwork as whole figures: ``GLYPH_FIGURE + "👵"``.
GLYPH_FIGURE = "glyph:"
# OpenMoji's people glyphs that are a head and shoulders (a bust), which a figure's body
# completes; the full-body ones (🚶, 💃, 🧍) are drawn as they are.
_BUSTS = frozenset("🧑👩👨👵👴🧓👧👦🧒👱🧔👲🧕👳👮💂👷🤴👸🤵👰🫅🕵🧙🧛🧝🧞🧟🦸🦹🎅🤶")
# What may follow a bust in a ZWJ sequence and keep it a bust: jobs, hair, sex signs.
_BUST_MARKS = frozenset("⚕🍳🎓🏫🌾🔧🏭💼🔬💻🎤🎨✈🚀🚒⚖🍼🎄🦱🦰🦳🦲♀♂\u200d\ufe0f")
# The colour OpenMoji paints faces.
_EMOJI_SKIN = np.array([252, 234, 43], np.float32)


def glyph_figure(glyph: str) -> str | None:
    """The figure key (for ``cameo_image``) of a person glyph that is only a head and
    shoulders, so that it is drawn with a body that acts; ``None`` for other glyphs."""
    if not glyph or glyph[0] not in _BUSTS or any(c not in _BUST_MARKS for c in glyph[1:]):
        return None
    return GLYPH_FIGURE + glyph


def _glyph_look(glyph: str) -> CameoLook:
    """A person figure whose head is the emoji's own face and hair and whose shirt has
    the colour of the emoji's shoulders."""
    art = glyph_image(glyph, 512)
    rgba = np.asarray(art).astype(np.float32)
    skin = (np.abs(rgba[..., :3] - _EMOJI_SKIN).sum(axis=2) < 60) & (rgba[..., 3] > 200)
    h, w = skin.shape
    middle = skin[:, w // 4: 3 * w // 4]
    rows = np.flatnonzero(middle.any(axis=1))
    chin = float(rows[-1] + 1) if rows.size else CUTOUT_CHIN * h
    face_top = float(rows[0]) if rows.size else 0.0
    head = _head_from_cutout(art, chin_y=chin, face_h=max(8.0, chin - face_top))
    mouth = _drawn_mouth(head)
    if mouth is not None:
        head = FaceView(image=head.image, chin=head.chin, mouth=mouth)
    skin_rgb, shirt = _colours(art, head)
    return CameoLook(kind="person", cutout=art, views={"front": head}, skin=skin_rgb,
                     shirt=shirt)


def _drawn_mouth(head: FaceView) -> tuple[float, float, float, float] | None:
    """Where an emoji face's drawn mouth is: the last dark stroke down the middle of
    the face above the chin's outline, near where a face's mouth would be."""
    if head.mouth is None:
        return None
    rgba = np.asarray(head.image).astype(np.int32)
    cx, chin = head.chin
    x0, y0, x1, y1 = head.mouth
    half = 0.45 * (x1 - x0)
    left, right = max(0, round(cx - half)), min(rgba.shape[1], round(cx + half))
    dark = (rgba[..., :3].sum(axis=2) < 200) & (rgba[..., 3] > 200)
    band = dark[:, left:right]
    # Above the chin's own outline.
    rows = np.flatnonzero(band[: max(0, round(chin - 0.06 * rgba.shape[0]))].any(axis=1))
    if not rows.size:
        return None
    # Runs of dark rows; the last one is the mouth when it is where a mouth can be.
    starts = np.flatnonzero(np.diff(rows, prepend=-10) > 1)
    top = int(rows[starts[-1]])
    bottom = int(rows[-1])
    if (top < y0 - 0.5 * (y1 - y0) or bottom > y1 + 0.5 * (y1 - y0) or bottom >= chin
            or bottom - top > 1.5 * (y1 - y0)):
        return None
    left, right = max(0, round(cx - 1.3 * half)), min(rgba.shape[1], round(cx + 1.3 * half))
    cols = np.flatnonzero(dark[top: bottom + 1, left:right].any(axis=0))
    return (float(left + cols[0]), float(top), float(left + cols[-1] + 1), float(bottom + 1))


def _head_from_cutout(cutout: Image.Image, chin_y: float | None = None,
                      face_h: float | None = None) -> FaceView:
    """The head of a head-and-shoulders cutout kept without face views: the part above
    the chin (where the capture framed it, unless ``chin_y`` says), centred on the
    face, its lower edge faded into the neck."""
    alpha = np.asarray(cutout.getchannel("A")) > 128
    h, w = alpha.shape
    chin_y = CUTOUT_CHIN * h if chin_y is None else chin_y
    face_h = chin_y / 1.75 if face_h is None else face_h  # brows to chin
    rows = alpha[: max(1, round(0.4 * h))]
    cols = np.flatnonzero(rows.any(axis=0))
    cx = float(cols.mean()) if cols.size else w / 2
    half = min(w / 2, 0.75 * face_h)
    left, right = max(0, round(cx - half)), min(w, round(cx + half))
    bottom = min(h, round(chin_y + 0.08 * face_h))
    head = cutout.crop((left, 0, right, bottom))
    fade = _bottom_fade(head.size, chin_y - 0.04 * face_h, bottom).astype(np.float32)
    mx = cx - left
    # Only the head's oval: collars and shoulders beside the chin go.
    ys, xs = np.mgrid[0: head.height, 0: head.width].astype(np.float32)
    oval = ((xs - mx) / half) ** 2 + ((ys - chin_y / 2) / (chin_y / 2 + 0.06 * face_h)) ** 2
    keep = np.clip((1.1 - oval) / 0.2, 0, 1) * 255
    alpha_now = np.asarray(head.getchannel("A")).astype(np.float32)
    head.putalpha(Image.fromarray(np.minimum(alpha_now, np.minimum(fade, keep)).astype(np.uint8)))
    face_w = 0.8 * face_h
    mouth = (mx - 0.22 * face_w, chin_y - 0.36 * face_h, mx + 0.22 * face_w,
             chin_y - 0.17 * face_h)
    return FaceView(image=head, chin=(mx, chin_y), mouth=mouth)


def _bottom_fade(size: tuple[int, int], start: float, end: float) -> np.ndarray:
    w, h = size
    ramp = np.clip((end - np.arange(h, dtype=np.float32)) / max(end - start, 1.0), 0, 1)
    return np.broadcast_to((ramp * 255)[:, None], (h, w)).astype(np.uint8)


def _colours(cutout: Image.Image,
             face: FaceView | None) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Skin (the middle of the face) and shirt (the bottom rows of the cutout: the
    clothes at the shoulders) colours of a capture."""
    rgba = np.asarray(cutout).astype(np.float32)
    skin = (224, 180, 150)
    if face is not None:
        f = np.asarray(face.image).astype(np.float32)
        fh, fw = f.shape[:2]
        cx, cy = face.chin[0], face.chin[1] * 0.7
        patch = f[int(cy - 0.1 * fh): int(cy + 0.08 * fh), int(cx - 0.15 * fw): int(cx + 0.15 * fw)]
        pixels = patch[patch[..., 3] > 200][:, :3] if patch.size else np.zeros((0, 3))
        if len(pixels) > 8:
            skin = _rgb(np.median(pixels, axis=0))
    rows = rgba[int(rgba.shape[0] * 0.85):]
    pixels = rows[rows[..., 3] > 200][:, :3]
    shirt = (70, 110, 190)
    if len(pixels) > 8:
        shirt = _rgb(np.median(pixels, axis=0))
    return skin, shirt


def _rgb(values: np.ndarray) -> tuple[int, int, int]:
    return int(values[0]), int(values[1]), int(values[2])


def figure_action(subject: Subject) -> str:
    """What a character's figure does: its action, or what its place says when the
    action alone does not (riding what it is on, sitting at a table, playing what it
    holds)."""
    if subject.action in ("idle", "talk"):
        if subject.relation == "on" and subject.anchor:
            return "ride"
        if subject.relation == "at" and subject.anchor:
            return "sit"
        if subject.held and subject.action == "idle":
            return "play"
    return subject.action


# --- timing ---------------------------------------------------------------------------


def cameo_phase(action: str, t: float, subject_id: str = "") -> int:
    """Which of the ``PHASES`` poses of ``action`` a figure is in at ``t`` seconds into
    its shot (subjects of the same action are desynchronised by their id, the way
    ``motion.pose`` does)."""
    phase = (sum(map(ord, subject_id)) % 97) / 97.0
    cycle = CYCLE.get(action, CYCLE["idle"])
    if action == "jump":  # in step with motion.pose's jump
        return int(((t + phase * JUMP_PERIOD) % JUMP_PERIOD) / JUMP_PERIOD * PHASES) % PHASES
    if action == "dance":  # motion.pose's dance beat is one second
        return int(((t / 1.0 + phase) % 2.0) / 2.0 * PHASES) % PHASES
    return int(((t / cycle + phase) % 1.0) * PHASES) % PHASES


# --- posing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Limbs:
    """Joint angles in degrees from straight down, positive toward the way the figure
    faces (+x); the second angle of each limb is relative to the first."""

    arm_back: tuple[float, float]
    arm_front: tuple[float, float]
    leg_back: tuple[float, float]
    leg_front: tuple[float, float]
    lean: float = 0.0  # torso, degrees toward +x
    lift: float = 0.0  # the body raised (+) or lowered (-), fraction of height
    sway: float = 0.0  # hips shifted sideways, fraction of height
    head_tilt: float = 0.0
    view: str = "front"
    side: bool = False  # seen from the side (travelling): limbs swing in the picture plane


def _limbs(action: str, phase: int) -> _Limbs:
    u = phase / PHASES
    s, c = math.sin(2 * math.pi * u), math.cos(2 * math.pi * u)
    if action == "walk":
        return _Limbs(arm_back=(24 * s, 12), arm_front=(-24 * s, 12),
                      leg_back=(-26 * s, -22 * max(0.0, c)), leg_front=(26 * s, -22 * max(0.0, -c)),
                      lean=3, view="left", side=True)
    if action in ("run", "chase"):
        return _Limbs(arm_back=(48 * s, 95), arm_front=(-48 * s, 95),
                      leg_back=(-45 * s, -70 * max(0.0, c) - 10),
                      leg_front=(45 * s, -70 * max(0.0, -c) - 10),
                      lean=10, lift=0.02 * abs(s), view="left", side=True)
    if action == "dance":
        beat = math.sin(4 * math.pi * u)  # two beats a cycle
        # Hands high but clear of the face.
        return _Limbs(arm_back=(-125 - 15 * beat, -40 - 20 * beat),
                      arm_front=(125 - 15 * beat, 40 - 20 * beat),
                      leg_back=(-8 - 16 * max(0.0, beat), 0),
                      leg_front=(8 + 16 * max(0.0, -beat), 0),
                      sway=0.02 * beat)
    if action == "jump":
        air = (u * JUMP_PERIOD) < JUMP_AIR
        v = min(1.0, (u * JUMP_PERIOD) / JUMP_AIR)
        up = 4 * v * (1 - v) if air else 0.0
        return _Limbs(arm_back=(-40 - 90 * up, -30 * up), arm_front=(40 + 90 * up, 30 * up),
                      leg_back=(-10 - 10 * up, 0), leg_front=(10 + 10 * up, 0),
                      view="up" if up > 0.6 else "front")
    if action == "wave":
        return _Limbs(arm_back=(-10, 0), arm_front=(135 + 8 * s, -30 + 35 * s),
                      leg_back=(-5, 0), leg_front=(5, 0), head_tilt=3 * s)
    if action == "talk":
        g = math.sin(2 * math.pi * u)
        return _Limbs(arm_back=(-20 - 8 * g, -70 - 20 * g), arm_front=(20 - 8 * g, 70 - 20 * g),
                      leg_back=(-5, 0), leg_front=(5, 0), head_tilt=2 * g)
    if action == "play":
        return _Limbs(arm_back=(-25, -75 + 10 * s), arm_front=(25, 75 - 10 * s),
                      leg_back=(-5, 0), leg_front=(5, 0), head_tilt=3 * s)
    if action in SEATED:
        pedal = action == "ride"
        k = 25 * s if pedal else 0.0
        hands = (55, 35) if action != "sit" else (25 + 4 * s, 55 + 12 * s)
        return _Limbs(arm_back=hands, arm_front=(hands[0] + 5, hands[1] - 8 * s),
                      leg_back=(80 - k, -80 + k), leg_front=(80 + k, -80 - k),
                      lean=8 if pedal else 0, lift=-(THIGH - 0.02),
                      view="left" if action != "sit" else "front", side=True)
    if action == "swim":
        return _Limbs(arm_back=(360 * u, 0), arm_front=(360 * u + 180, 0),
                      leg_back=(-15 * s, 0), leg_front=(15 * s, 0), view="left", side=True)
    if action == "fly":
        return _Limbs(arm_back=(150, 0), arm_front=(165, 0), leg_back=(-20, 0),
                      leg_front=(-10, 0), lean=30, view="left", side=True)
    if action == "surf":
        return _Limbs(arm_back=(-85 + 10 * s, 0), arm_front=(85 + 10 * s, 0),
                      leg_back=(-40, 50), leg_front=(40, -50), lift=-0.05, view="left",
                      side=True)
    if action in ("spin", "fall"):
        return _Limbs(arm_back=(-95 + 20 * s, 0), arm_front=(95 - 20 * s, 0),
                      leg_back=(-15, 0), leg_front=(15, 0))
    # idle, sleep: standing at rest, breathing
    return _Limbs(arm_back=(-9 - 2 * s, 6), arm_front=(9 + 2 * s, -6),
                  leg_back=(-5, 0), leg_front=(5, 0))


def _point(origin: tuple[float, float], angle: float, length: float) -> tuple[float, float]:
    a = math.radians(angle)
    return origin[0] + math.sin(a) * length, origin[1] + math.cos(a) * length


# --- drawing --------------------------------------------------------------------------


@lru_cache(maxsize=384)
def _figure(look_key: str, noun: str, action: str, phase: int, height: int, mouth: int,
            viseme: int = OPEN) -> tuple[Image.Image, tuple[float, float, float, float]]:
    look = load_cameo(look_key, noun)
    if look.kind != "person":
        return _thing(look, action, phase, height)
    body, place = _person(look_key, noun, action, phase, height)
    # The body of each pose is drawn once; the face with its mouth goes on here.
    head = _placed_face(look_key, place.view, mouth, viseme, place.size, place.tilt,
                        place.pivot)
    art = body.copy()
    _paste(art, head, place.left, place.top)
    return art, place.box


def mouth_shape(level: float, viseme: int) -> tuple[int, int]:
    """The mouth to draw for openness ``level`` (0..1) and ``viseme``: (steps 0-4,
    viseme). Pressed lips (m, b, p) and the lip under the teeth (f, v) have one shape
    however loud the sound; a shut mouth is the face as captured. So a face has at most
    15 mouths to draw."""
    steps = round(min(1.0, max(0.0, float(level))) * 4)
    if steps == 0 or viseme not in (OPEN, WIDE, ROUND, CLOSED, TEETH):
        return (steps, OPEN)
    return (1, viseme) if viseme in (CLOSED, TEETH) else (steps, viseme)


def cameo_image(appearance: str, noun: str, action: str, phase: int, height: int,
                mouth: int = 0, viseme: int = OPEN) -> Image.Image:
    """The character at ``appearance`` performing ``action`` (pose ``phase`` of
    ``PHASES``), ``height`` px tall with its feet at the bottom centre; ``mouth`` 0-4 is
    how far a person's mouth is open and ``viseme`` its shape (``mouth_shape``)."""
    height = max(8, int(height))
    drawn = _drawn_height(appearance, height)
    art = _figure(appearance, noun, action, phase, drawn, mouth, viseme)[0]
    if drawn == height:
        return art
    return art.resize((max(1, round(art.width * height / drawn)), height),
                      Image.Resampling.LANCZOS)


def cameo_head(appearance: str, noun: str, action: str, phase: int,
               height: int) -> tuple[float, float, float, float]:
    """Where the head is in ``cameo_image``'s art (fractions), for worn things."""
    return _figure(appearance, noun, action, phase,
                   _drawn_height(appearance, max(8, int(height))), 0)[1]


# Figures are drawn at a few heights, each this much taller than the last, and shrunk to
# the exact size: a camera move then redraws nothing.
HEIGHT_STEP = 1.12


def _drawn_height(appearance: str, height: int) -> int:
    """The smallest drawing height at least ``height``. A person's own captured face is
    drawn at the exact size (resampling it twice would blur what makes it theirs)."""
    if height <= 32 or not appearance.startswith(GLYPH_FIGURE):
        return height
    steps = math.ceil(math.log(height / 32) / math.log(HEIGHT_STEP) - 1e-9)
    return max(height, round(32 * HEIGHT_STEP ** steps))


@dataclass(frozen=True)
class _HeadPlace:
    """Where a figure's face goes on its body: the view, its size and tilt, the pixel
    of its top left and the head's box (fractions) for worn things."""

    view: str
    size: tuple[int, int]
    tilt: int
    pivot: tuple[float, float]
    left: int
    top: int
    box: tuple[float, float, float, float]


@lru_cache(maxsize=96)
def _open_face(look_key: str, view: str, mouth: int, viseme: int = OPEN) -> Image.Image:
    """A look's view with its mouth open ``mouth`` steps in shape ``viseme``, at full
    size."""
    return _face(load_cameo(look_key).views[view], mouth, viseme)


@lru_cache(maxsize=256)
def _placed_face(look_key: str, view: str, mouth: int, viseme: int, size: tuple[int, int],
                 tilt: int, pivot: tuple[float, float]) -> Image.Image:
    head = _open_face(look_key, view, mouth, viseme).resize(size, Image.Resampling.LANCZOS)
    if tilt:
        head = head.rotate(-tilt, resample=Image.Resampling.BICUBIC, center=pivot)
    return head


@lru_cache(maxsize=128)
def _person(look_key: str, noun: str, action: str, phase: int,
            height: int) -> tuple[Image.Image, _HeadPlace]:
    """A person's body in pose ``phase`` of ``action``, and where its face goes."""
    look = load_cameo(look_key, noun)
    pose = _limbs(action, phase)
    k = SUPERSAMPLE * height
    width = round(0.84 * height) // 2 * 2
    canvas = Image.new("RGBA", (width * SUPERSAMPLE, k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    line = max(2.0, 0.014 * k)
    cx = canvas.width / 2 + pose.sway * k
    drop = -pose.lift * k
    hip = (cx, HIP_Y * k + drop)
    lean = pose.lean
    shoulder_mid = _point(hip, 180 + lean, (HIP_Y - SHOULDER_Y) * k)
    half_s = SHOULDER_HALF * k * (0.62 if pose.side else 1.0)
    half_h = HIP_HALF * k * (0.7 if pose.side else 1.0)
    # Side view: the far limbs are at the same joints, drawn behind the body and darker.
    if pose.side:
        shoulders = (shoulder_mid, shoulder_mid)
        hips = ((hip[0] - 0.01 * k, hip[1]), (hip[0] + 0.01 * k, hip[1]))
    else:
        shoulders = ((shoulder_mid[0] - half_s + ARM_WIDTH * k / 2, shoulder_mid[1] + 0.01 * k),
                     (shoulder_mid[0] + half_s - ARM_WIDTH * k / 2, shoulder_mid[1] + 0.01 * k))
        hips = ((hip[0] - half_h + LEG_WIDTH * k / 2, hip[1]),
                (hip[0] + half_h - LEG_WIDTH * k / 2, hip[1]))
    far = _shade(look.shirt, 0.82)
    skin_far = _shade(look.skin, 0.88)

    def leg(start: tuple[float, float], angles: tuple[float, float], shade: float) -> None:
        knee = _point(start, angles[0], THIGH * k)
        ankle = _point(knee, angles[0] + angles[1], SHIN * k)
        trousers = _shade(TROUSERS, shade)
        _limb(draw, [start, knee, ankle], LEG_WIDTH * k, trousers, line)
        toe_dir = 1.0 if pose.side else (-1.0 if start[0] < cx else 1.0)
        toe = (ankle[0] + toe_dir * FOOT * k * 0.8, ankle[1] + 0.012 * k)
        _limb(draw, [(ankle[0] - toe_dir * 0.01 * k, ankle[1] + 0.008 * k), toe],
              0.045 * k, SHOES, line)

    def arm(start: tuple[float, float], angles: tuple[float, float],
            sleeve: tuple[int, int, int], skin: tuple[int, int, int]) -> None:
        elbow = _point(start, angles[0], UPPER_ARM * k)
        wrist = _point(elbow, angles[0] + angles[1], FOREARM * k)
        _limb(draw, [start, elbow], ARM_WIDTH * k, sleeve, line)
        _limb(draw, [elbow, wrist], ARM_WIDTH * k * 0.9, skin, line)
        r = HAND * k
        draw.ellipse((wrist[0] - r, wrist[1] - r, wrist[0] + r, wrist[1] + r), fill=skin,
                     outline=OUTLINE_COLOR, width=round(line * 0.8))

    # 1. What the figure sits on, then the far limbs (behind the body).
    if action == "sit":
        _chair(canvas, hip, k)
    if pose.side:
        leg(hips[0], pose.leg_back, 0.8)
        arm(shoulders[0], pose.arm_back, far, skin_far)
    else:
        leg(hips[0], pose.leg_back, 1.0)
        leg(hips[1], pose.leg_front, 1.0)
    # 2. Neck and torso.
    neck_top = _point(shoulder_mid, 180 + lean, (NECK + 0.03) * k)
    _limb(draw, [shoulder_mid, neck_top], 0.07 * k, _shade(look.skin, 0.9), line)
    torso = _torso(shoulder_mid, hip, half_s, half_h, lean, k)
    draw.polygon(torso, fill=look.shirt, outline=OUTLINE_COLOR, width=round(line))
    draw.line([torso[3], torso[4]], fill=_shade(TROUSERS, 0.9), width=round(0.03 * k))
    # 3. Near limbs.
    if pose.side:
        leg(hips[1], pose.leg_front, 1.0)
        arm(shoulders[1], pose.arm_front, look.shirt, look.skin)
    else:
        arm(shoulders[0], pose.arm_back, look.shirt, look.skin)
        arm(shoulders[1], pose.arm_front, look.shirt, look.skin)
    # 4. The body is drawn large and shrunk (smooth edges); the face goes on at the
    # final size, chin on the neck, so it is resampled once.
    art = canvas.reduce(SUPERSAMPLE)
    # A small face turned away is hard to recognise: turned views are for figures
    # big enough to show them.
    turned = pose.view != "front" and height >= TURNED_MIN_HEIGHT
    name = pose.view if turned and pose.view in look.views else "front"
    view = look.views[name]
    scale = HEAD * height / max(view.chin[1], 1.0)
    size = (max(1, round(view.image.width * scale)), max(1, round(view.image.height * scale)))
    tilt = round(pose.head_tilt + lean * 0.5)
    chin = (neck_top[0] / SUPERSAMPLE, neck_top[1] / SUPERSAMPLE + 0.02 * height)
    left = chin[0] - view.chin[0] * scale
    top = chin[1] - view.chin[1] * scale
    box = (max(0.0, left / art.width), max(0.0, top / height),
           min(1.0, (left + size[0]) / art.width), min(1.0, chin[1] / height))
    pivot = (round(view.chin[0] * scale, 1), round(view.chin[1] * scale, 1))
    return art, _HeadPlace(name, size, tilt, pivot, round(left), round(top), box)


def _chair(canvas: Image.Image, hip: tuple[float, float], k: float) -> None:
    """OpenMoji's chair under a seated figure, its seat at the hips."""
    from kinema.engines.procedural.glyphs import glyph_image

    seat_from_top = 0.55  # where the chair's seat is, as a share of its height
    top_of_seat = hip[1] + LEG_WIDTH * k / 2
    size = max(8, round((k - top_of_seat) / (1 - seat_from_top)))
    chair = glyph_image("\U0001fa91", size)
    _paste(canvas, chair, round(hip[0] - 0.5 * chair.width), round(k - chair.height))


def _torso(shoulder: tuple[float, float], hip: tuple[float, float], half_s: float,
           half_h: float, lean: float, k: float) -> list[tuple[float, float]]:
    """A shirt: rounded shoulders narrowing to the hips."""
    a = math.radians(lean)
    ux, uy = math.cos(a), -math.sin(a)  # across the body
    r = 0.035 * k

    def at(p: tuple[float, float], across: float, down: float) -> tuple[float, float]:
        return (p[0] + ux * across + math.sin(a) * down, p[1] + uy * across + math.cos(a) * down)

    return [at(shoulder, -half_s + r, 0), at(shoulder, half_s - r, 0),
            at(shoulder, half_s, r), at(hip, half_h, 0.02 * k), at(hip, -half_h, 0.02 * k),
            at(shoulder, -half_s, r)]


def _limb(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], width: float,
          color: tuple[int, int, int], line: float) -> None:
    """A rounded limb through ``points`` with a dark outline."""
    for w, fill in ((width + 2 * line, OUTLINE_COLOR), (width, color)):
        draw.line(points, fill=fill, width=max(1, round(w)), joint="curve")
        for x, y in (points[0], points[-1]):
            r = w / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def _shade(color: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return (min(255, int(color[0] * k)), min(255, int(color[1] * k)), min(255, int(color[2] * k)))


# Per viseme: how far the jaw drops (share of a full opening), how much wider the lips
# get (negative: narrower), how wide the parted middle is (share of the mouth), and how
# far the upper and the lower lip close in over the lip line (share of the mouth's
# height), hiding what showed between them.
_SHAPES = {
    OPEN: (1.0, 0.0, 0.85, 0.0, 0.0),
    WIDE: (0.5, 0.3, 0.95, 0.0, 0.0),
    ROUND: (0.8, -0.34, 0.5, 0.0, 0.0),
    CLOSED: (0.0, 0.0, 0.85, 0.2, 0.2),  # pressed together, however loud
    TEETH: (0.0, 0.0, 0.85, 0.0, 0.22),  # the lower lip up under the upper teeth
}
_TEETH_COLOUR = (236, 232, 222)


def _face(view: FaceView, mouth: int, viseme: int = OPEN) -> Image.Image:
    """The view's head with the mouth opened ``mouth`` steps (0-4) in shape ``viseme``."""
    if not mouth or view.mouth is None:
        return view.image
    return _open_mouth(view.image, view.mouth, view.chin, mouth / 4, viseme)


def _open_mouth(image: Image.Image, mouth: tuple[float, float, float, float],
                chin: tuple[float, float], amount: float, viseme: int = OPEN) -> Image.Image:
    """Drop the jaw by ``amount`` of a full opening, in the shape of ``viseme``: below
    the upper lip the face is pulled down by a smooth field (strongest under the middle
    of the mouth, fading toward the corners), so the lips part and the chin lowers with
    the person's own lips and teeth stretched, not painted over; the lips are stretched
    or narrowed around the middle of the mouth, or closed over the lip line; the parted
    middle is shaded as the inside of the mouth."""
    drop, widen, middle, upper, lower = _SHAPES.get(viseme, _SHAPES[OPEN])
    if viseme in (CLOSED, TEETH):
        amount = 1.0  # one shape however loud
    rgba = np.asarray(image).astype(np.float32)
    h, w = rgba.shape[:2]
    x0, y0, x1, y1 = mouth
    mw, mh = max(2.0, x1 - x0), max(2.0, y1 - y0)
    cx, lip_line = (x0 + x1) / 2, y0 + 0.5 * mh
    gap = drop * amount * max(1.5, 0.32 * mw)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    across = np.clip(1 - ((xs - cx) / (middle * mw)) ** 2, 0, 1)
    opening = np.clip((ys - y0) / mh, 0, 1)  # the upper lip stays, the rest goes down
    settle = np.clip((h - ys) / max(h - chin[1], 1.0), 0, 1)  # and the neck stays put
    map_y = ys - gap * across * opening * settle
    if upper or lower:
        # Each lip samples from farther from the line: what was between them folds away
        # and they meet in a crisp line.
        reach = np.clip(1 - ((xs - cx) / mw) ** 2, 0, 1) * np.exp(
            -(((ys - lip_line) / (0.8 * mh)) ** 2))
        fold = np.where(ys >= lip_line, np.float32(lower), np.float32(-upper))
        map_y = (map_y + mh * reach * fold).astype(np.float32)
    map_x = xs
    if widen:
        # Sample nearer the middle to stretch the lips, farther out to narrow them;
        # the field fades within about a mouth's width and its height, so the cheeks
        # and the jaw barely move.
        near = (np.clip(1 - ((xs - cx) / (1.1 * mw)) ** 2, 0, 1) ** 2
                * np.exp(-(((ys - lip_line) / (0.6 * mh + 0.5 * gap)) ** 2)))
        map_x = xs - widen * (0.5 + 0.5 * amount) * (xs - cx) * near
    warped = cv2.remap(rgba, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if viseme == TEETH:
        # The upper teeth show over the tucked lower lip.
        teeth = np.clip(1 - np.abs(ys - (lip_line - 0.08 * mh)) / (0.1 * mh + 0.5), 0, 1)
        light = (0.55 * teeth * np.clip(1 - ((xs - cx) / (0.4 * mw)) ** 2, 0, 1))[..., None]
        teeth_rgb = np.array(_TEETH_COLOUR, np.float32)
        warped[..., :3] = warped[..., :3] * (1 - light) + teeth_rgb * light
    if gap <= 0:
        return Image.fromarray(np.clip(warped, 0, 255).astype(np.uint8), "RGBA")
    # Shade what now fills the parted lips: the stretched band around the lip line.
    band = np.clip(1 - np.abs(map_y - lip_line) / (0.22 * mh + 0.5 * gap), 0, 1)
    inside = band * np.clip(across * 1.6 - 0.4, 0, 1)
    inside = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), max(0.6, 0.02 * mw))
    shade = 1 - 0.6 * amount * inside
    warped[..., :3] *= shade[..., None]
    warped[..., 0] += 18 * amount * (1 - shade)  # the inside of a mouth is reddish
    return Image.fromarray(np.clip(warped, 0, 255).astype(np.uint8), "RGBA")


def _thing(look: CameoLook, action: str, phase: int,
           height: int) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A pet or an object: its own cutout, moving with the action: it hops as it
    travels (an object rolls), sways when it dances, swells a little when it talks."""
    from kinema.engines.procedural.accessories import head_box

    u = phase / PHASES
    s = math.sin(2 * math.pi * u)
    art = look.cutout
    hop = 0.0
    body_h = height
    if action in ("walk", "run", "chase", "jump"):
        if look.kind == "object" and action != "jump":
            art = art.rotate(-360 * u, resample=Image.Resampling.BICUBIC, expand=True)
        else:
            hop = (0.12 if action != "walk" else 0.07) * abs(s)
            body_h = round(height * (1 - hop))
    elif action == "dance":
        art = art.rotate(12 * s, resample=Image.Resampling.BICUBIC, expand=True)
    elif action == "talk":
        body_h = round(height * (0.97 + 0.03 * s))
    width = max(1, round(art.width * body_h / art.height))
    body = art.resize((width, max(1, body_h)), Image.Resampling.LANCZOS)
    if hop > 0:  # squash on landing, stretch in the air
        stretch = 1 + 0.5 * hop
        body = body.resize((max(1, round(width / stretch)), max(1, round(body_h * stretch * 0.9))),
                           Image.Resampling.BILINEAR)
    canvas = Image.new("RGBA", (max(body.width, 1), height), (0, 0, 0, 0))
    rise = round(hop * height)
    canvas.alpha_composite(body, (0, max(0, height - body.height - rise)))
    x0, y0, x1, y1 = head_box(np.asarray(canvas.getchannel("A")))
    return canvas, (x0 / canvas.width, y0 / height, x1 / canvas.width, y1 / height)


def _paste(canvas: Image.Image, image: Image.Image, x: int, y: int) -> None:
    # alpha_composite refuses negative offsets and overhangs: crop to the canvas first.
    left, top = max(0, -x), max(0, -y)
    right, bottom = min(image.width, canvas.width - x), min(image.height, canvas.height - y)
    if right > left and bottom > top:
        canvas.alpha_composite(image.crop((left, top, right, bottom)), (x + left, y + top))


def soften(image: Image.Image, radius: float) -> Image.Image:
    """``image`` with its alpha edge feathered by ``radius`` px (a face pasted with a
    hard edge reads as a sticker)."""
    alpha = image.getchannel("A")
    inner = alpha.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.GaussianBlur(radius))
    out = image.copy()
    out.putalpha(Image.fromarray(np.minimum(np.asarray(alpha), np.asarray(inner))))
    return out
