"""Frames from a plan: a layered 2.5D scene with parallax camera moves, light and colour
by time of day, weather particles, animated subjects and style filters.

Each shot's place (``scenery``) is drawn once into oversized layers, so the camera can
move over them; every frame is then a few crops and pastes, the place's own small
movements (water, leaves, screens, crowds), the subjects standing on its floor with their
shadows and what they hold, and on-screen titles, mostly in Pillow's C code. A
``FrameRenderer`` is cheap to pickle inputs for, so frames can be rendered in worker
processes while the main process encodes."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from kinema.engines.procedural.accessories import dress, glyph_head
from kinema.engines.procedural.audio_visemes import CLOSED, OPEN, ROUND, TEETH, WIDE
from kinema.engines.procedural.cameo import (
    cameo_head,
    cameo_image,
    cameo_phase,
    figure_action,
    glyph_figure,
    mouth_shape,
)
from kinema.engines.procedural.glyphs import SIZE_STEP, cutout_image, glyph_image, shadow_mask
from kinema.engines.procedural.lettering import (
    FONT_CREDIT,
    script_of,
    text_font,
    title_card,
    wrap,
)
from kinema.engines.procedural.motion import ease_in_out, pose
from kinema.engines.procedural.photo import (
    KenBurns,
    PictureLayers,
    ken_burns,
    load_picture,
    picture_frame,
    split_picture,
)
from kinema.engines.procedural.plan import Held, Plan, Shot, Subject
from kinema.engines.procedural.planner import lightning_times
from kinema.engines.procedural.scenery import (
    FAR_PARALLAX,
    Box,
    Idle,
    Place,
    PropBox,
    draw_idle,
    floor_y,
    paint,
    place_of,
)

# Light falling on the scene (multiplies every pixel) per time of day.
LIGHT = {
    "dawn": (0.95, 0.85, 0.82),
    "day": (1.0, 1.0, 1.0),
    "noon": (1.06, 1.05, 1.02),
    "sunset": (1.05, 0.82, 0.64),
    "night": (0.34, 0.4, 0.6),
}
# Light in a room by the time of day: lamps are on at night, the windows show the sky.
ROOM_LIGHT = {
    "dawn": (0.96, 0.92, 0.88),
    "day": (1.0, 1.0, 1.0),
    "noon": (1.03, 1.02, 1.0),
    "sunset": (1.02, 0.9, 0.8),
    "night": (0.78, 0.7, 0.6),
}
# A person drawn as a whole figure is this much taller than the head-and-shoulders
# glyph it replaces, so the face keeps a readable size.
FIGURE_HEIGHT = 1.5
# How much a layer moves with the camera: the far backdrop less than the ground.
NEAR_PARALLAX = 1.0


@dataclass
class RenderInputs:
    """Everything a worker process needs to render frames (all picklable)."""

    plan: dict
    image: str | None = None  # input image path: the backdrop of every shot
    cutouts: dict[str, str] = field(default_factory=dict)  # character handle -> RGBA PNG
    speech_levels: dict[str, np.ndarray] = field(default_factory=dict)  # subject id -> per frame
    # subject id -> the mouth's shape per frame (``audio_visemes``)
    speech_visemes: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class _Scene:
    """A shot's precomputed layers and particles."""

    far: Image.Image  # RGB, oversized
    near: Image.Image | None  # RGBA, oversized
    static: Image.Image | None  # far+near already composed, when the camera never moves
    particles: np.ndarray  # (n, 4): x, y, speed, size (fractions / per second)
    fog: Image.Image | None  # L mask, wider than the frame so it can drift
    flashes: list[float]
    lut: list[int]  # the shot's light and style as a Pillow RGB lookup table (768 values)
    place: Place | None = None  # None when an input image is the backdrop
    picture: PictureLayers | None = None  # the input image, in this shot's light
    move: KenBurns | None = None  # the picture's slow move over this shot
    idle: list[Idle] = field(default_factory=list)  # what moves by itself
    props: list[PropBox] = field(default_factory=list)
    light_x: float = 0.5  # where the key light comes from, -1 left .. +1 right
    light_low: float = 0.5  # 0 overhead .. 1 at the horizon
    # The layers as arrays for the camera's zooms, made on first use: RGB, and the near
    # one with its colour premultiplied by its alpha (so edges blend cleanly).
    far_array: np.ndarray | None = None
    near_array: np.ndarray | None = None

    def tone(self, color: tuple[int, int, int]) -> tuple[int, int, int]:
        """A colour as it looks in this shot's light (for things drawn per frame)."""
        return (self.lut[color[0]], self.lut[256 + color[1]], self.lut[512 + color[2]])


def camera_at(shot: Shot, t: float, seed: int) -> tuple[float, float, float]:
    """The camera at ``t`` seconds into ``shot``: x and y offsets (fractions of the frame
    width/height) and zoom (>= 1)."""
    if shot.camera.target:
        framed = _framing(shot, t)
        if framed is not None:
            return framed
    u = ease_in_out(t / max(shot.duration, 1e-3))
    k = max(0.0, min(2.0, shot.camera.strength))
    move = shot.camera.move
    if move == "pan_right":
        return (-0.1 + 0.2 * u) * k, 0.0, 1.0
    if move == "pan_left":
        return (0.1 - 0.2 * u) * k, 0.0, 1.0
    if move == "zoom_in":
        return 0.0, 0.0, 1.0 + 0.3 * k * u
    if move == "zoom_out":
        return 0.0, 0.0, 1.0 + 0.3 * k * (1 - u)
    if move == "dolly_in":
        return 0.0, 0.02 * u, 1.0 + 0.22 * k * u
    if move == "dolly_out":
        return 0.0, 0.02 * (1 - u), 1.0 + 0.22 * k * (1 - u)
    if move == "orbit":
        angle = 2 * math.pi * (t / max(shot.duration, 1e-3)) * 0.5
        return 0.11 * k * math.sin(angle), 0.0, 1.05 + 0.04 * math.cos(angle)
    if move == "handheld":
        rng = np.random.default_rng([seed, 3])
        ph = rng.uniform(0, 2 * math.pi, 4)
        ox = 0.006 * k * (math.sin(2.1 * t + ph[0]) + 0.6 * math.sin(5.3 * t + ph[1]))
        oy = 0.005 * k * (math.sin(1.7 * t + ph[2]) + 0.6 * math.sin(4.1 * t + ph[3]))
        return ox, oy, 1.03
    if move == "aerial":
        return 0.0, (0.08 - 0.16 * u) * k, 1.15 - 0.1 * u
    return 0.0, 0.0, 1.0


def framed_subject(shot: Shot, t: float) -> str | None:
    """The id of the subject the camera frames at ``t`` seconds into ``shot``, or
    ``None`` for the whole scene. With ``target == "speaker"`` the camera opens on the
    whole scene, cuts to each speaker as their line starts and stays on them until the
    next line."""
    target = shot.camera.target
    if not target:
        return None
    if target != "speaker":
        return target
    now = shot.start + t
    current: str | None = None
    for line in sorted(shot.dialogue, key=lambda ln: ln.start):
        if line.start - 0.15 <= now and line.speaker:
            current = line.speaker
    return current


def _framing(shot: Shot, t: float) -> tuple[float, float, float] | None:
    """Camera offsets and zoom that frame the subject ``framed_subject`` names, with a
    slow push in while it is framed."""
    sid = framed_subject(shot, t)
    subject = next((s for s in shot.subjects if s.id == sid), None)
    if subject is None:
        return None
    by_id = {s.id: s for s in shot.subjects}
    p = pose(subject, shot, t, 0.0, by_id)
    parallax = 1.0 - 0.5 * subject.depth
    height = subject.scale * (1.0 - 0.45 * subject.depth)
    zoom = max(1.0, min(2.5, shot.camera.zoom)) * (1.0 + 0.02 * math.sin(t * 0.7))
    ox = max(-0.16, min(0.16, (p.x - 0.5) / parallax))
    oy = max(-0.12, min(0.12, (p.y - 0.55 * height - 0.5) / parallax))
    return ox, oy, zoom


class FrameRenderer:
    """Renders the frames of one plan. Deterministic: the same plan gives the same
    pixels."""

    def __init__(self, inputs: RenderInputs) -> None:
        self.plan = Plan.from_dict(inputs.plan)
        self.width, self.height, self.fps = self.plan.width, self.plan.height, self.plan.fps
        self.frame_count = max(1, round(self.plan.seconds * self.fps))
        self.mx = round(0.16 * self.width)
        self.my = round(0.12 * self.height)
        self.image = inputs.image
        self.cutouts = inputs.cutouts
        self.levels = inputs.speech_levels
        self.visemes = inputs.speech_visemes
        self._scenes: dict[int, _Scene] = {}
        self._art_cache: dict[tuple[object, ...], Image.Image] = {}
        self._picture: PictureLayers | None = None

    # --- per shot ---------------------------------------------------------------------

    def shot_at(self, t: float) -> tuple[int, Shot]:
        shots = self.plan.shots
        for i, shot in enumerate(shots):
            if t < shot.end - 1e-9:
                return i, shot
        return len(shots) - 1, shots[-1]

    def _scene(self, index: int) -> _Scene:
        if index not in self._scenes:
            self._scenes = {index: self._build_scene(index)}  # one shot at a time in memory
        return self._scenes[index]

    def _picture_layers(self) -> PictureLayers:
        """The input image fitted whole and split into its parallax layers, once for
        every shot."""
        if self._picture is None:
            self._picture = split_picture(load_picture(str(self.image)), self.width,
                                          self.height)
        return self._picture

    def _build_scene(self, index: int) -> _Scene:
        shot = self.plan.shots[index]
        w, h, mx, my = self.width, self.height, self.mx, self.my
        rng = np.random.default_rng([self.plan.seed, index, 1])
        near: Image.Image | None
        place = None if self.image else place_of(shot.setting)
        outdoor_light = self._outdoor_light(shot)
        scenery = None
        picture = None
        if self.image or place is None:
            picture = self._picture_layers()
            far, near = picture.fill, None
            light = outdoor_light
        else:
            signs = tuple(ti.text for ti in shot.titles if ti.kind == "sign" and ti.text.strip()
                          and _during_shot(ti.start, ti.end, shot))
            scenery = paint(shot.setting, shot.time_of_day, shot.weather, w, h, mx, my, rng,
                            self._safe_boxes(shot, index), signs)
            far, near = scenery.far, scenery.near
            light = self._place_light(shot, place, outdoor_light)
        # Light and style are baked into the layers once, not applied to every frame. A
        # room has its own light; its windows show the sky's.
        lut = _lut(self._curves(light))
        far = far.point(_lut(self._curves(outdoor_light)) if place is not None else lut)
        if near is not None:
            near = near.point([*lut, *range(256)])
        static = None
        if picture is not None:
            picture = picture.graded(lut)
        elif shot.camera.move == "static":
            static = far.copy()
            if near is not None:
                static.paste(near, (0, 0), near)
            static = static.crop((mx, my, mx + w, my + h))
        # Rain, snow and fog fall under an open sky only (not in a room, a cave or space).
        outdoors = place is None or (place.kind == "outdoor" and place.backdrop in (
            "sky", "clouds"))
        n = {"rain": 260, "storm": 380, "snow": 220, "wind": 70}.get(shot.weather, 0)
        if not outdoors:  # no rain or fog indoors, nor in space
            n = 0
        if shot.setting == "underwater":
            n = max(n, 45)
        # Small frames get fewer but not too few particles (they are drawn larger, below).
        n = int(n * max(0.3, (w * h) / (720 * 1280)))
        particles = np.column_stack([
            rng.random(n), rng.random(n), rng.uniform(0.6, 1.4, n), rng.uniform(0.5, 1.5, n),
        ]) if n else np.zeros((0, 4))
        fog = None
        if shot.weather == "fog" and outdoors:
            noise = rng.random((max(2, h // 40), max(2, (w * 2) // 40))).astype(np.float32)
            small = Image.fromarray((noise * 255).astype(np.uint8), "L")
            fog_img = small.resize((w * 2, h), Image.Resampling.BICUBIC)
            fog_np = np.asarray(fog_img, dtype=np.float32) / 255.0
            ramp = np.linspace(0.55, 0.85, h, dtype=np.float32)[:, None]
            fog = Image.fromarray(np.clip((0.35 + 0.45 * fog_np) * ramp * 255, 0, 255)
                                  .astype(np.uint8), "L")
        flashes = (lightning_times(self.plan.seed, index, shot.duration)
                   if shot.weather == "storm" else [])
        built = _Scene(far=far, near=near, static=static, particles=particles, fog=fog,
                       flashes=flashes, lut=lut, place=place)
        if picture is not None:
            built.picture = picture
            built.move = ken_burns(picture.salient, shot.camera.move, self.plan.seed + index,
                                   shot.camera.strength)
        if scenery is not None:
            built.idle, built.props = scenery.idle, scenery.props
            built.light_x, built.light_low = scenery.light_x, scenery.light_low
        return built

    @staticmethod
    def _outdoor_light(shot: Shot) -> np.ndarray:
        light = np.asarray(LIGHT.get(shot.time_of_day, LIGHT["day"]), dtype=np.float32)
        if shot.weather in ("storm", "rain", "fog"):
            light = light * (0.72 if shot.weather == "storm" else 0.86)
        return light

    @staticmethod
    def _place_light(shot: Shot, place: Place, outdoor: np.ndarray) -> np.ndarray:
        if place.light is not None:  # caves, space, the Moon: a light of their own
            light = np.asarray(place.light, dtype=np.float32)
            if place.kind == "outdoor":
                light = light * outdoor
            return light
        if place.kind == "indoor" or (place.floodlit and shot.time_of_day == "night"):
            return np.asarray(ROOM_LIGHT.get(shot.time_of_day, ROOM_LIGHT["day"]),
                              dtype=np.float32)
        return outdoor

    def _safe_boxes(self, shot: Shot, index: int) -> dict[float, Box]:
        """Per layer parallax, the canvas box the camera shows all shot long (a small
        margin inside it): props placed there are never cut by the frame's edge. A camera
        that goes in close (a speaker's close-up) is left out: then the widest view counts."""
        w, h = self.width, self.height
        cams = [self._camera(shot, index, shot.duration * k / 8) for k in range(9)]
        margin = 0.035 * min(w, h)
        boxes: dict[float, Box] = {}
        for parallax in (NEAR_PARALLAX, FAR_PARALLAX):
            views = [self._view_box(cam, parallax) for cam in cams]
            box = (max(v[0] for v in views), max(v[1] for v in views),
                   min(v[2] for v in views), min(v[3] for v in views))
            if box[2] - box[0] < 0.6 * w or box[3] - box[1] < 0.6 * h:
                box = max(views, key=lambda v: (v[2] - v[0]) * (v[3] - v[1]))
            boxes[parallax] = (box[0] + margin, box[1] + margin, box[2] - margin,
                               box[3] - margin)
        return boxes

    def _camera(self, shot: Shot, shot_index: int, t: float) -> tuple[float, float, float]:
        return camera_at(shot, t, self.plan.seed + shot_index)

    def _view_box(self, cam: tuple[float, float, float], parallax: float) -> Box:
        """The canvas box a layer with ``parallax`` shows under camera ``cam`` (the same
        geometry as ``_layer_view``)."""
        w, h = self.width, self.height
        cw, ch = w + 2 * self.mx, h + 2 * self.my
        ox, oy, zoom = cam
        z = 1.0 + parallax * (zoom - 1.0)
        half_w, half_h = w / 2 / z, h / 2 / z
        cx = min(max(self.mx + w / 2 + parallax * ox * w, half_w), cw - half_w)
        cy = min(max(self.my + h / 2 + parallax * oy * h, half_h), ch - half_h)
        return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)

    def _canvas_to_screen(self, x: float, y: float, parallax: float,
                          cam: tuple[float, float, float]) -> tuple[float, float, float]:
        x0, y0, x1, _y1 = self._view_box(cam, parallax)
        z = self.width / (x1 - x0)
        return (x - x0) * z, (y - y0) * z, z

    def _screen_mapper(self, cam: tuple[float, float, float]) -> Callable[
            [float, float, float], tuple[float, float, float]]:
        """``_canvas_to_screen`` for one frame, each layer's view worked out once."""
        views: dict[float, tuple[float, float, float]] = {}

        def to_screen(x: float, y: float, parallax: float) -> tuple[float, float, float]:
            view = views.get(parallax)
            if view is None:
                x0, y0, x1, _y1 = self._view_box(cam, parallax)
                view = views[parallax] = (x0, y0, self.width / (x1 - x0))
            return (x - view[0]) * view[2], (y - view[1]) * view[2], view[2]

        return to_screen

    def prop_boxes(self, shot_index: int, t: float) -> list[tuple[str, Box]]:
        """Where the scene's props are on screen ``t`` seconds into shot ``shot_index``:
        (glyph, (x0, y0, x1, y1)) in frame pixels."""
        shot = self.plan.shots[shot_index]
        scene = self._scene(shot_index)
        cam = self._camera(shot, shot_index, t)
        out = []
        for prop in scene.props:
            ax, ay, _z = self._canvas_to_screen(prop.box[0], prop.box[1], prop.parallax, cam)
            bx, by, _z = self._canvas_to_screen(prop.box[2], prop.box[3], prop.parallax, cam)
            out.append((prop.glyph, (ax, ay, bx, by)))
        return out

    def _curves(self, light: np.ndarray) -> np.ndarray:
        v = np.arange(256, dtype=np.float32) / 255.0
        style = self.plan.style
        curves = np.stack([v * light[c] for c in range(3)])
        if style == "cinematic":  # teal shadows, warm highlights, a little contrast
            s = np.clip(0.5 + (v - 0.5) * 1.12, 0, 1)
            curves = np.stack([s * light[0] * (0.96 + 0.08 * v), s * light[1],
                               s * light[2] * (1.06 - 0.1 * v)])
        elif style == "vintage":  # faded blacks, warm, soft highlights
            curves = np.stack([(0.08 + 0.86 * v) * light[0] * 1.05, (0.07 + 0.8 * v) * light[1],
                               (0.06 + 0.66 * v) * light[2]])
        elif style == "watercolor":  # pastel: lifted, low contrast
            curves = np.stack([(0.18 + 0.8 * v) * light[c] for c in range(3)])
        elif style == "vaporwave":  # pink highlights, cyan shadows
            curves = np.stack([np.clip((0.15 + 0.95 * v) * light[0] * 1.08, 0, 1),
                               (0.05 + 0.7 * v) * light[1],
                               np.clip((0.3 + 0.8 * v) * light[2], 0, 1)])
        elif style == "anime":  # clean, bright, a few tone steps
            steps = np.round(v * 10) / 10
            curves = np.stack([np.clip((0.35 * steps + 0.65 * v) * 1.08 * light[c], 0, 1)
                               for c in range(3)])
        elif style == "noir":
            s = np.clip(0.5 + (v - 0.5) * 1.35, 0, 1)
            curves = np.stack([s * light.mean()] * 3)
        return np.clip(curves, 0.0, 1.0)

    # --- per frame --------------------------------------------------------------------

    def _view_of(self, size: tuple[int, int], cam: tuple[float, float, float],
                 parallax: float) -> tuple[float, float, float]:
        """What the camera shows of a layer of ``size`` (w, h): the top left corner of
        the box it sees, and the zoom (the box is the frame's size over the zoom)."""
        w, h = self.width, self.height
        ox, oy, zoom = cam
        z = 1.0 + parallax * (zoom - 1.0)
        cx = self.mx + w / 2 + parallax * ox * w
        cy = self.my + h / 2 + parallax * oy * h
        half_w, half_h = w / 2 / z, h / 2 / z
        cx = min(max(cx, half_w), size[0] - half_w)
        cy = min(max(cy, half_h), size[1] - half_h)
        return cx - half_w, cy - half_h, z

    def _layer_view(self, layer: Image.Image, cam: tuple[float, float, float],
                    parallax: float) -> Image.Image:
        w, h = self.width, self.height
        x0, y0, z = self._view_of(layer.size, cam, parallax)
        if abs(z - 1.0) < 1e-6:
            # A pure pan moves whole pixels: a crop, no resampling (the costliest step).
            left, top = round(x0), round(y0)
            return layer.crop((left, top, left + w, top + h))
        box = (x0, y0, x0 + w / z, y0 + h / z)
        return layer.resize((w, h), Image.Resampling.BILINEAR, box=box)

    def _zoomed_layers(self, scene: _Scene, cam: tuple[float, float, float]) -> Image.Image:
        """The far and near layers under a zooming camera, resampled with OpenCV (a
        Pillow resize of both layers was the costliest step of a frame) and laid over
        each other in premultiplied colour."""
        if scene.far_array is None:
            scene.far_array = np.asarray(scene.far.convert("RGB"))
            if scene.near is not None:
                scene.near_array = np.asarray(scene.near.convert("RGBa"))
        far = self._warped(scene.far_array, cam, FAR_PARALLAX if scene.near else 0.7)
        if scene.near_array is not None:
            near = self._warped(scene.near_array, cam, NEAR_PARALLAX)
            alpha = near[..., 3:4]
            # out = near + far * (1 - alpha), in integers: (x * y + 127) // 255
            far = near[..., :3] + ((far.astype(np.uint16) * (255 - alpha) + 127) // 255
                                   ).astype(np.uint8)
        return Image.fromarray(far)

    def _warped(self, layer: np.ndarray, cam: tuple[float, float, float],
                parallax: float) -> np.ndarray:
        """``_layer_view`` of an array: the same box, sampled bilinearly."""
        w, h = self.width, self.height
        x0, y0, z = self._view_of((layer.shape[1], layer.shape[0]), cam, parallax)
        # Output pixel centre u + 0.5 samples the layer at x0 + (u + 0.5) / z.
        matrix = np.array([[1 / z, 0, x0 + 0.5 / z - 0.5], [0, 1 / z, y0 + 0.5 / z - 0.5]],
                          np.float64)
        return cv2.warpAffine(layer, matrix, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REPLICATE)

    def _to_screen(self, x: float, y: float, depth: float,
                   cam: tuple[float, float, float]) -> tuple[float, float, float]:
        ox, oy, zoom = cam
        parallax = 1.0 - 0.5 * depth
        z = 1.0 + parallax * (zoom - 1.0)
        w, h = self.width, self.height
        sx = (x * w - w / 2 - parallax * ox * w) * z + w / 2
        sy = (y * h - h / 2 - parallax * oy * h) * z + h / 2
        return sx, sy, z

    def render(self, index: int) -> Image.Image:
        """Frame ``index`` (0-based) as an RGB image of the plan's size."""
        t = index / self.fps
        shot_index, shot = self.shot_at(t)
        scene = self._scene(shot_index)
        tl = t - shot.start
        cam = self._camera(shot, shot_index, tl)
        if scene.picture is not None and scene.move is not None:
            # The picture moves by itself; what is drawn over it stays put on screen.
            frame = picture_frame(scene.picture, scene.move, tl / max(shot.duration, 1e-3))
            cam = (0.0, 0.0, 1.0)
        elif scene.static is not None and cam == (0.0, 0.0, 1.0):
            frame = scene.static.copy()
        elif cam[2] == 1.0:
            frame = self._layer_view(scene.far, cam, FAR_PARALLAX if scene.near else 0.7)
            if scene.near is not None:
                near = self._layer_view(scene.near, cam, NEAR_PARALLAX)
                frame.paste(near, (0, 0), near)
        else:
            frame = self._zoomed_layers(scene, cam)
        draw = ImageDraw.Draw(frame)
        if scene.idle:  # water, leaves, screens, crowds and lights move by themselves
            draw_idle(draw, scene.idle, tl, self._screen_mapper(cam), scene.tone,
                      min(self.width, self.height) / 720)
        self._draw_subjects(frame, shot, shot_index, tl, index, cam)
        self._draw_weather(frame, draw, shot, scene, tl)
        if scene.fog is not None:
            drift = int((tl * 0.03 * self.width) % self.width)
            mask = scene.fog.crop((drift, 0, drift + self.width, self.height))
            frame.paste(Image.new("RGB", frame.size, scene.tone((205, 210, 215))), (0, 0), mask)
        flash = 0.0
        for ft in scene.flashes:
            if 0 <= tl - ft < 0.25:
                flash = max(flash, 1.0 - (tl - ft) / 0.25)
        if flash > 0 and (scene.place is None or scene.place.kind == "outdoor"):
            self._draw_bolt(draw, shot_index, scene.flashes.index(
                next(f for f in scene.flashes if 0 <= tl - f < 0.25)))
        frame = self._grade(frame, scene, flash, index)
        self._draw_titles(frame, t)
        if self.plan.captions:
            self._draw_caption(frame, shot, t)
        return frame

    def _draw_subjects(self, frame: Image.Image, shot: Shot, shot_index: int, tl: float,
                       index: int, cam: tuple[float, float, float]) -> None:
        by_id = {s.id: s for s in shot.subjects}
        scene = self._scene(shot_index)
        place = scene.place
        ground = place.grounded if place is not None else shot.setting not in (
            "space", "underwater", "sky")
        for subject in _drawing_order(shot.subjects):
            if subject.in_photo and self.image:
                continue  # the picture shows it itself
            levels = self.levels.get(subject.id)
            level = float(levels[index]) if levels is not None and index < len(levels) else 0.0
            p = pose(subject, shot, tl, level, by_id)
            # Standing subjects stand on the place's floor at their depth (a rider stays
            # on its mount: it moves with it).
            lift = _floor_shift(subject, by_id, place) if ground else 0.0
            sx, sy, z = self._to_screen(p.x, p.y + lift, subject.depth, cam)
            figure = self._figure(subject)
            height = subject.scale * self.height * (1.0 - 0.45 * subject.depth) * p.scale * z
            if figure is not None and not subject.character:
                height *= FIGURE_HEIGHT  # a whole body, where the bust was head and shoulders
            height = max(SIZE_STEP, round(height / SIZE_STEP) * SIZE_STEP)
            shapes = self.visemes.get(subject.id)
            viseme = int(shapes[index]) if shapes is not None and index < len(shapes) else OPEN
            mouth, viseme = mouth_shape(level, viseme) if figure is not None else (0, OPEN)
            worn = tuple((a.glyph, a.anchor, a.item, a.color) for a in subject.accessories)
            phase = (cameo_phase(figure_action(subject), tl, subject.id)
                     if figure is not None else 0)  # a figure's pose
            held = tuple((h.glyph, h.hold, h.color) for h in subject.held)
            key = (shot_index, subject.glyph, subject.character, subject.color, height,
                   round(p.angle / 2) * 2, p.flip, round(p.squash, 2), mouth, viseme, worn,
                   phase, held)
            art = self._art_cache.get(key)
            if art is None:
                art = self._posed_art(subject, height, p.angle, p.flip, p.squash, mouth,
                                      self._scene(shot_index), phase, viseme)
                if art is None:
                    continue
                if len(self._art_cache) > 400:  # rotations and sizes vary; keep memory flat
                    self._art_cache.clear()
                self._art_cache[key] = art
            in_water = shot.setting in ("beach", "ocean", "river", "lake") and (
                subject.action in ("surf", "swim"))
            if ground and not in_water and subject.action != "fly" and subject.y > 0.55 and (
                    subject.relation not in ("on", "in")):
                base_y = self._to_screen(p.x, subject.y + lift, subject.depth, cam)[1]
                self._draw_shadow(frame, scene, shot, art.width, sx, base_y,
                                  abs(p.y - subject.y))
            frame.paste(art, (int(sx - art.width / 2), int(sy - art.height)), art)

    def _draw_shadow(self, frame: Image.Image, scene: _Scene, shot: Shot, width: int,
                     x: float, y: float, air: float) -> None:
        """A soft contact shadow on the ground, cast away from the light: long when the
        sun is low, short at noon, soft and centred under overcast skies; it shrinks and
        fades as its subject leaves the ground."""
        overcast = shot.weather in ("rain", "storm", "fog", "snow")
        low = 0.25 if overcast else scene.light_low
        lx = 0.0 if overcast else scene.light_x
        lift = max(0.35, 1.0 - air * 4)
        sw = max(4, int(width * (0.75 + 0.55 * low) * lift))
        sh = max(4, int(width * 0.16 * lift))
        mask = shadow_mask(sw - sw % 4, sh - sh % 2)
        offset = -lx * low * width * 0.3
        frame.paste((0, 0, 0), (int(x + offset - mask.width / 2), int(y - mask.height / 2)),
                    mask)

    def _posed_art(self, subject: Subject, height: int, angle: float, flip: bool,
                   squash: float, mouth: int, scene: _Scene, phase: int = 0,
                   viseme: int = OPEN) -> Image.Image | None:
        cameo = self._figure(subject)
        art = (cameo_image(cameo, subject.noun, figure_action(subject), phase, height, mouth,
                           viseme)
               if cameo else self._art(subject, height))
        if art is None:
            return None
        if mouth and not cameo:
            art = self._with_mouth(art, mouth / 4, viseme)
        # Worn things go on before the pose, so they bob, turn and mirror with the subject.
        if subject.accessories:
            head = (cameo_head(cameo, subject.noun, figure_action(subject), phase, height) if cameo
                    else glyph_head(subject.glyph))
            art = dress(art, subject.accessories, head)
        if subject.held:
            art = _with_held(art, subject.held, height)
        if flip:
            art = art.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        art = _lit(art, scene.light_x)
        if abs(squash - 1.0) > 1e-3:
            art = art.resize((art.width, max(1, int(art.height * squash))),
                             Image.Resampling.BILINEAR)
        if abs(angle) > 0.5:
            art = art.rotate(round(angle / 2) * 2, resample=Image.Resampling.BILINEAR,
                             expand=True)
        return art.point([*scene.lut, *range(256)])

    def _figure(self, subject: Subject) -> str | None:
        """What a subject's whole acting figure is drawn from: a character's capture,
        or a person glyph that is only a head and shoulders; ``None`` for glyphs drawn
        as they are."""
        if subject.character and subject.character in self.cutouts:
            return self.cutouts[subject.character]
        return glyph_figure(subject.glyph) if subject.glyph else None

    def _art(self, subject: Subject, height: int) -> Image.Image | None:
        if subject.character and subject.character in self.cutouts and not subject.glyph:
            return cutout_image(self.cutouts[subject.character], height)
        if not subject.glyph:
            return None
        return glyph_image(subject.glyph, height, subject.color)

    @staticmethod
    def _with_mouth(art: Image.Image, level: float, viseme: int = OPEN) -> Image.Image:
        # Cutouts are head and shoulders: the mouth sits a little under the middle. Its
        # opening follows the viseme: wide and flat for e, small and round for o, a
        # thin line for pressed lips (m, b, p) or a lip under the teeth (f, v).
        art = art.copy()
        w, h = art.size
        cx, cy = w / 2, h * 0.47
        wide, tall = {WIDE: (1.25, 0.6), ROUND: (0.6, 1.0), CLOSED: (1.0, 0.0),
                      TEETH: (1.0, 0.25)}.get(viseme, (1.0, 1.0))
        mw, mh = w * 0.1 * wide, max(1.0, w * 0.06 * min(1.0, level * 1.4) * tall)
        ImageDraw.Draw(art).ellipse((cx - mw, cy - mh / 2, cx + mw, cy + mh / 2),
                                    fill=(70, 20, 25, 255))
        return art

    def _draw_weather(self, frame: Image.Image, draw: ImageDraw.ImageDraw, shot: Shot,
                      scene: _Scene, tl: float) -> None:
        p = scene.particles
        if not len(p):
            return
        w, h = self.width, self.height
        u = h / 1280
        weather = shot.weather
        if weather in ("rain", "storm"):
            speed = 1.6 if weather == "rain" else 2.2
            slant = 0.08 if weather == "rain" else 0.2
            ys = (p[:, 1] + tl * speed * p[:, 2]) % 1.0
            xs = (p[:, 0] + ys * slant) % 1.0
            length = np.maximum(6.0, 40 * u * p[:, 2])
            for x, y, ln in zip(xs * w, ys * h, length, strict=True):
                draw.line((x, y, x + slant * ln, y + ln), fill=scene.tone((200, 210, 230)),
                          width=max(1, int(2 * u)))
        elif weather == "snow":
            ys = (p[:, 1] + tl * 0.12 * p[:, 2]) % 1.0
            xs = (p[:, 0] + 0.02 * np.sin(tl * 1.5 + p[:, 3] * 6)) % 1.0
            radius = np.maximum(1.3, 3.5 * u * p[:, 3])
            for x, y, r in zip(xs * w, ys * h, radius, strict=True):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=scene.tone((250, 250, 255)))
        elif weather == "wind":
            xs = (p[:, 0] + tl * 0.9 * p[:, 2]) % 1.0
            ys = p[:, 1] + 0.02 * np.sin(tl * 3 + p[:, 3] * 5)
            for x, y, s in zip(xs * w, ys * h, p[:, 3], strict=True):
                draw.line((x, y, x - 50 * u * s, y), fill=scene.tone((235, 235, 225)),
                          width=max(1, int(u)))
        elif shot.setting == "underwater":  # bubbles rise
            ys = (p[:, 1] - tl * 0.08 * p[:, 2]) % 1.0
            xs = (p[:, 0] + 0.01 * np.sin(tl * 2 + p[:, 3] * 9)) % 1.0
            for x, y, s in zip(xs * w, ys * h, p[:, 3], strict=True):
                r = 5 * u * s
                draw.ellipse((x - r, y - r, x + r, y + r), outline=scene.tone((200, 235, 250)),
                             width=max(1, int(u * 1.5)))

    def _draw_bolt(self, draw: ImageDraw.ImageDraw, shot_index: int, flash_index: int) -> None:
        rng = np.random.default_rng([self.plan.seed, shot_index, flash_index, 5])
        x, y = float(rng.uniform(0.2, 0.8)) * self.width, 0.0
        pts = [(x, y)]
        while y < self.height * 0.5:
            y += float(rng.uniform(0.03, 0.07)) * self.height
            x += float(rng.uniform(-0.05, 0.05)) * self.width
            pts.append((x, y))
        draw.line(pts, fill=(255, 255, 240), width=max(2, int(4 * self.height / 1280)))

    def _grade(self, frame: Image.Image, scene: _Scene, flash: float, index: int) -> Image.Image:
        """Per-frame light changes (lightning, projector flicker) and style filters; the
        shot's steady light is already in the layers and the subjects."""
        style = self.plan.style
        gain = 1.0 + 0.55 * flash
        if style == "vintage":
            gain *= 1.0 + 0.04 * math.sin(index * 2.3) * math.sin(index * 0.7)
        if abs(gain - 1.0) > 1e-3:
            frame = frame.point(_gain_lut(round(gain, 2)))
        if style == "noir":
            frame = frame.convert("L").convert("RGB")
        if style == "anime":
            frame = ImageEnhance.Color(frame).enhance(1.35)
        elif style == "watercolor":
            soft = frame.reduce(4).resize(frame.size, Image.Resampling.BICUBIC)
            frame = Image.blend(frame, soft, 0.55)
            frame = ImageChops.multiply(frame, _paper(self.width, self.height))
        elif style == "vaporwave":
            r, g, b = frame.split()
            shift = max(1, self.width // 180)
            frame = Image.merge("RGB", (ImageChops.offset(r, shift, 0), g,
                                        ImageChops.offset(b, -shift, 0)))
            frame = ImageChops.multiply(frame, _scanlines(self.width, self.height))
        if style in ("cinematic", "vintage", "noir"):
            frame = ImageChops.multiply(frame, _vignette(self.width, self.height))
        if style in ("vintage", "noir"):
            noise = _grain(self.width, self.height, index % 4)
            frame = ImageChops.add(frame, noise, scale=1.0, offset=-10)
        return frame

    def _draw_titles(self, frame: Image.Image, t: float) -> None:
        """On-screen titles up at ``t``: clean lettering over the picture in its upper
        part, fading in and out over a quarter of a second."""
        for shot in self.plan.shots:
            for title in shot.titles:
                if title.kind != "title" or not title.text.strip():
                    continue
                start, end = ((shot.start, shot.end) if title.end <= title.start
                              else (title.start, title.end))
                if not start <= t < end:
                    continue
                fade = min(1.0, (t - start) / 0.25 + 0.2, (end - t) / 0.25)
                card = title_card(title.text, self.width, self.height)
                mask = card.getchannel("A")
                if fade < 1.0:
                    mask = mask.point(lambda v, f=fade: int(v * f))
                frame.paste(card, (0, int(self.height * 0.14)), mask)

    def _draw_caption(self, frame: Image.Image, shot: Shot, t: float) -> None:
        line = next((ln for s in self.plan.shots for ln in s.dialogue
                     if ln.start <= t < ln.end), None)
        if line is None:
            return
        size = max(12, int(min(self.height * 0.032, self.width * 0.055)))
        font = _caption_font(size, script_of(line.text))
        draw = ImageDraw.Draw(frame)
        rows = wrap(line.text, font, self.width * 0.86)
        y = self.height * 0.93 - min(3, len(rows)) * size * 1.25
        for text in rows[-3:]:
            width = draw.textlength(text, font=font)
            x = (self.width - width) / 2
            draw.text((x, y), text, font=font, fill=(255, 255, 255),
                      stroke_width=max(1, size // 10), stroke_fill=(0, 0, 0))
            y += size * 1.25


def picture_credits(plan: Plan) -> list[str]:
    """Credits for what the picture draws besides the subjects: the font, when the video
    shows any text (burned-in captions, titles, signs)."""
    shows_text = any(t.text.strip() for s in plan.shots for t in s.titles) or (
        plan.captions and any(s.dialogue for s in plan.shots))
    return [FONT_CREDIT] if shows_text else []


def _caption_font(size: int, script: str = "latin") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return text_font(size, script, "Bold")


def _lut(curves: np.ndarray) -> list[int]:
    lut: list[int] = np.clip(curves * 255.0 + 0.5, 0, 255).astype(np.uint8).reshape(-1).tolist()
    return lut


def _during_shot(start: float, end: float, shot: Shot) -> bool:
    """Whether text shown from ``start`` to ``end`` (seconds from the video's start) is
    up during ``shot``; text with no times is up for its whole shot."""
    return end <= start or (start < shot.end and end > shot.start)


def _drawing_order(subjects: list[Subject]) -> list[Subject]:
    """Far to near, and a subject placed against another right after it (a rider over its
    mount, a driver in a car) or right before it (a drummer behind the drums, a cat under
    the table)."""
    by_id = {s.id: s for s in subjects}
    after: dict[str, list[Subject]] = {}
    before: dict[str, list[Subject]] = {}
    for s in subjects:
        if s.anchor and s.anchor in by_id and s.anchor != s.id:
            (before if s.relation in ("behind", "under") else after).setdefault(
                s.anchor, []).append(s)
    order: list[Subject] = []
    seen: set[str] = set()

    def place(s: Subject) -> None:
        if s.id in seen:
            return
        seen.add(s.id)
        for dependent in before.get(s.id, []):
            place(dependent)
        order.append(s)
        for dependent in after.get(s.id, []):
            place(dependent)

    roots = [s for s in subjects if not (s.anchor and s.anchor in by_id and s.anchor != s.id)]
    for s in sorted(roots, key=lambda s: (-s.depth, s.id)):
        place(s)
    for s in sorted(subjects, key=lambda s: (-s.depth, s.id)):  # anchors in a loop
        place(s)
    return order


def _floor_shift(subject: Subject, by_id: dict[str, Subject], place: Place | None,
                 hops: int = 0) -> float:
    """How far (frame fraction) to move a standing subject down or up so its feet are on
    the place's floor at its depth; a subject placed against another moves with it."""
    if place is None:
        return 0.0
    anchor = by_id.get(subject.anchor or "")
    if subject.relation and anchor is not None and anchor is not subject and hops < 4:
        return _floor_shift(anchor, by_id, place, hops + 1)
    if subject.y < 0.7 or subject.action in ("fly", "swim", "surf"):
        return 0.0
    return floor_y(place, subject.depth) - subject.y


def _with_held(art: Image.Image, held: list[Held], height: int) -> Image.Image:
    """The subject's art with what it holds: in the hand, beside the body at about mid
    height on the side it faces (the right, before any mirroring), or in front of the
    body. The canvas grows evenly on both sides so the subject stays centred."""
    placed = []
    for item in held:
        front = item.hold == "front"
        size = max(SIZE_STEP, int(height * (0.55 if front else 0.3)))
        thing = glyph_image(item.glyph, size, item.color)
        cx = art.width * 0.55 if front else art.width * 0.78 + thing.width * 0.3
        cy = art.height * (0.64 if front else 0.56)
        placed.append((thing, cx, cy))
    reach = max([abs(cx - art.width / 2) + t.width / 2 for t, cx, _ in placed] + [art.width / 2])
    width = int(2 * reach + 2)
    top = min([cy - t.height / 2 for t, _, cy in placed] + [0.0])
    canvas = Image.new("RGBA", (width, int(art.height - top)), (0, 0, 0, 0))
    left = (width - art.width) // 2
    canvas.alpha_composite(art, (left, int(-top)))
    for thing, cx, cy in placed:
        x = int(left + cx - thing.width / 2)
        y = int(-top + min(cy - thing.height / 2, art.height - thing.height))
        canvas.alpha_composite(thing, (x, y))
    return canvas


def _lit(art: Image.Image, light_x: float) -> Image.Image:
    """Light on a subject: the side toward the key light a little brighter, the other side
    and the feet a little darker (the art's dark outlines stay as they are)."""
    a = np.asarray(art, dtype=np.float32)
    h, w = a.shape[:2]
    if w < 4 or h < 4:
        return art
    xs = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    gain = (1.0 + 0.16 * light_x * xs) * (1.0 - 0.14 * ys ** 3)
    a[..., :3] = np.clip(a[..., :3] * gain[..., None], 0, 255)
    return Image.fromarray(a.astype(np.uint8), "RGBA")


@lru_cache(maxsize=64)
def _gain_lut(gain: float) -> list[int]:
    return np.clip(np.arange(256) * gain, 0, 255).astype(np.uint8).tolist() * 3


@lru_cache(maxsize=4)
def _vignette(w: int, h: int) -> Image.Image:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    v = np.clip(1.0 - 0.35 * np.clip(r - 0.55, 0, None) ** 1.5, 0.55, 1.0)
    return Image.fromarray((v * 255).astype(np.uint8), "L").convert("RGB")


@lru_cache(maxsize=4)
def _scanlines(w: int, h: int) -> Image.Image:
    rows = np.where((np.arange(h) // max(1, h // 320)) % 2 == 0, 255, 215).astype(np.uint8)
    return Image.fromarray(np.repeat(rows[:, None], w, axis=1), "L").convert("RGB")


@lru_cache(maxsize=4)
def _paper(w: int, h: int) -> Image.Image:
    # Soft blotches, like pigment pooling on paper, rather than fine grain.
    rng = np.random.default_rng(99)
    small = rng.uniform(215, 255, (max(2, h // 40), max(2, w // 40))).astype(np.uint8)
    paper = Image.fromarray(small, "L").resize((w, h), Image.Resampling.BICUBIC)
    return paper.filter(ImageFilter.GaussianBlur(max(1, w // 200))).convert("RGB")


@lru_cache(maxsize=16)
def _grain(w: int, h: int, k: int) -> Image.Image:
    rng = np.random.default_rng(1000 + k)
    noise = rng.integers(0, 21, (h, w), dtype=np.uint8)
    return Image.fromarray(noise, "L").convert("RGB")
