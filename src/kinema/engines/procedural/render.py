"""Frames from a plan: a layered 2.5D scene with parallax camera moves, light and colour
by time of day, weather particles, animated subjects and style filters.

Each shot's background layers are drawn once (oversized, so the camera can move over
them) and every frame is then a few crops, pastes and one colour lookup table, all in
Pillow's C code. A ``FrameRenderer`` is cheap to pickle inputs for, so frames can be
rendered in worker processes while the main process encodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

from kinema.engines.procedural.accessories import dress, glyph_head
from kinema.engines.procedural.cameo import cameo_head, cameo_image, cameo_phase
from kinema.engines.procedural.glyphs import SIZE_STEP, cutout_image, glyph_image, shadow_mask
from kinema.engines.procedural.motion import ease_in_out, pose
from kinema.engines.procedural.plan import Plan, Shot, Subject
from kinema.engines.procedural.planner import lightning_times

# Sky gradient (top, horizon) per time of day.
SKY = {
    "dawn": ((70, 90, 160), (250, 175, 150)),
    "day": ((80, 145, 230), (185, 220, 245)),
    "noon": ((55, 135, 240), (170, 215, 252)),
    "sunset": ((55, 45, 115), (252, 135, 70)),
    "night": ((6, 10, 30), (28, 38, 78)),
}
# Light falling on the scene (multiplies every pixel) per time of day.
LIGHT = {
    "dawn": (0.95, 0.85, 0.82),
    "day": (1.0, 1.0, 1.0),
    "noon": (1.06, 1.05, 1.02),
    "sunset": (1.05, 0.82, 0.64),
    "night": (0.34, 0.4, 0.6),
}
HORIZON = {
    "beach": 0.55, "city": 0.6, "forest": 0.6, "mountains": 0.62, "desert": 0.6,
    "snow": 0.6, "park": 0.62, "plain": 0.64, "stage": 0.72, "interior": 0.68,
    "kitchen": 0.66, "underwater": 0.82, "space": 1.2, "sky": 1.2,
}
PROPS: dict[str, tuple[str, ...]] = {
    "beach": ("🌴", "🐚", "🌴", "⛱️"), "desert": ("🌵", "🌵", "🪨"),
    "forest": ("🌲", "🌳", "🌲", "🍄"),
    "park": ("🌳", "🌷", "🌳", "🌼"), "snow": ("🌲", "⛄", "🌲"), "mountains": ("🌲", "🌲"),
    "city": ("🚦", "🌳"), "interior": ("🪴", "🛋️", "🖼️"), "kitchen": ("🍳", "🪴"),
    "underwater": ("🪸", "🐚", "🪸", "🌿"), "stage": ("🎤",), "space": ("🪐",),
    "sky": (), "plain": (),
}
# How much a layer moves with the camera: the far backdrop less than the ground.
FAR_PARALLAX, NEAR_PARALLAX = 0.45, 1.0


@dataclass
class RenderInputs:
    """Everything a worker process needs to render frames (all picklable)."""

    plan: dict
    image: str | None = None  # input image path: the backdrop of every shot
    cutouts: dict[str, str] = field(default_factory=dict)  # character handle -> RGBA PNG
    speech_levels: dict[str, np.ndarray] = field(default_factory=dict)  # subject id -> per frame


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


def _gradient(h: int, w: int, top: tuple[int, int, int], bottom: tuple[int, int, int],
              split: int) -> np.ndarray:
    """Vertical gradient from ``top`` at row 0 to ``bottom`` at row ``split`` (held below)."""
    ramp = np.clip(np.arange(h, dtype=np.float32) / max(split, 1), 0.0, 1.0)[:, None, None]
    top_a = np.asarray(top, dtype=np.float32)[None, None]
    bottom_a = np.asarray(bottom, dtype=np.float32)[None, None]
    column = top_a * (1 - ramp) + bottom_a * ramp
    return np.broadcast_to(column, (h, w, 3)).astype(np.uint8)


def _toward(color: tuple[int, int, int], grey: float, k: float) -> tuple[int, int, int]:
    r, g, b = (int(c * (1 - k) + grey * k) for c in color)
    return (r, g, b)


def _shade(color: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return (int(min(255, color[0] * k)), int(min(255, color[1] * k)), int(min(255, color[2] * k)))


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
        self._scenes: dict[int, _Scene] = {}
        self._art_cache: dict[tuple[object, ...], Image.Image] = {}
        self._backdrop: Image.Image | None = None

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

    def _input_backdrop(self, cw: int, ch: int) -> Image.Image:
        if self._backdrop is None:
            with Image.open(Path(str(self.image))) as src:
                picture = ImageOps.exif_transpose(src).convert("RGB")
            # Cover the oversized canvas without distortion: scale up, centre-crop.
            self._backdrop = ImageOps.fit(picture, (cw, ch), Image.Resampling.LANCZOS)
        return self._backdrop

    def _build_scene(self, index: int) -> _Scene:
        shot = self.plan.shots[index]
        w, h, mx, my = self.width, self.height, self.mx, self.my
        cw, ch = w + 2 * mx, h + 2 * my
        rng = np.random.default_rng([self.plan.seed, index, 1])
        near: Image.Image | None
        if self.image:
            far = self._input_backdrop(cw, ch).copy()
            near = None
        else:
            far, near = self._draw_setting(shot, cw, ch, rng)
        # Light and style are baked into the layers once, not applied to every frame.
        curves = self._curves(shot)
        lut = np.clip(curves * 255.0 + 0.5, 0, 255).astype(np.uint8).reshape(-1).tolist()
        far = far.point(lut)
        if near is not None:
            near = near.point([*lut, *range(256)])
        static = None
        if shot.camera.move == "static":
            static = far.copy()
            if near is not None:
                static.paste(near, (0, 0), near)
            static = static.crop((mx, my, mx + w, my + h))
        n = {"rain": 260, "storm": 380, "snow": 220, "wind": 70}.get(shot.weather, 0)
        if shot.setting == "underwater":
            n = max(n, 45)
        # Small frames get fewer but not too few particles (they are drawn larger, below).
        n = int(n * max(0.3, (w * h) / (720 * 1280)))
        particles = np.column_stack([
            rng.random(n), rng.random(n), rng.uniform(0.6, 1.4, n), rng.uniform(0.5, 1.5, n),
        ]) if n else np.zeros((0, 4))
        fog = None
        if shot.weather == "fog":
            noise = rng.random((max(2, h // 40), max(2, (w * 2) // 40))).astype(np.float32)
            small = Image.fromarray((noise * 255).astype(np.uint8), "L")
            fog_img = small.resize((w * 2, h), Image.Resampling.BICUBIC)
            fog_np = np.asarray(fog_img, dtype=np.float32) / 255.0
            ramp = np.linspace(0.55, 0.85, h, dtype=np.float32)[:, None]
            fog = Image.fromarray(np.clip((0.35 + 0.45 * fog_np) * ramp * 255, 0, 255)
                                  .astype(np.uint8), "L")
        flashes = (lightning_times(self.plan.seed, index, shot.duration)
                   if shot.weather == "storm" else [])
        return _Scene(far=far, near=near, static=static, particles=particles, fog=fog,
                      flashes=flashes, lut=lut)

    def _curves(self, shot: Shot) -> np.ndarray:
        v = np.arange(256, dtype=np.float32) / 255.0
        light = np.asarray(LIGHT.get(shot.time_of_day, LIGHT["day"]), dtype=np.float32)
        if shot.weather in ("storm", "rain", "fog"):
            light = light * (0.72 if shot.weather == "storm" else 0.86)
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

    # --- backgrounds ------------------------------------------------------------------

    def _draw_setting(self, shot: Shot, cw: int, ch: int,
                      rng: np.random.Generator) -> tuple[Image.Image, Image.Image]:
        setting, time = shot.setting, shot.time_of_day
        hy = int(self.my + HORIZON.get(setting, 0.64) * self.height)
        top, bottom = SKY.get(time, SKY["day"])
        overcast = {"storm": 0.7, "rain": 0.55, "fog": 0.5, "snow": 0.45}.get(shot.weather, 0.0)
        if overcast:  # clouds cover the sky: its colour goes toward grey
            grey = 0.35 * (sum(top) + sum(bottom)) / 6
            top = _toward(top, grey, overcast)
            bottom = _toward(bottom, grey * 1.6, overcast)
        night = time == "night"
        if setting == "space":
            far_np = _gradient(ch, cw, (4, 4, 14), (28, 10, 48), ch)
        elif setting == "underwater":
            far_np = _gradient(ch, cw, (40, 150, 200), (8, 40, 90), hy)
        elif setting in ("interior", "kitchen"):
            wall = (225, 205, 175) if setting == "interior" else (205, 225, 215)
            far_np = _gradient(ch, cw, _shade(wall, 1.05), _shade(wall, 0.85), hy)
        elif setting == "stage":
            far_np = _gradient(ch, cw, (20, 12, 30), (60, 20, 40), hy)
        else:
            far_np = _gradient(ch, cw, top, bottom, hy)
        far = Image.fromarray(np.ascontiguousarray(far_np), "RGB")
        draw = ImageDraw.Draw(far)
        near = Image.new("RGBA", (cw, ch), (0, 0, 0, 0))
        nd = ImageDraw.Draw(near)
        u = self.height / 1280  # drawing unit: sizes follow the frame height
        outdoor = setting not in ("space", "underwater", "interior", "kitchen", "stage")
        if night or setting == "space":
            count = int(260 * cw * ch / (1000 * 1600)) + 40
            for x, y, r in zip(rng.uniform(0, cw, count), rng.uniform(0, hy if outdoor else ch,
                               count), rng.uniform(0.6, 2.2, count) * u * 1.5, strict=True):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 235))
        if (outdoor and overcast < 0.5) or setting == "space":  # no sun behind rain clouds
            self._draw_sun(draw, time, cw, hy, u, rng, setting)
        if (outdoor and shot.weather != "clear") or (outdoor and rng.random() < 0.8):
            self._draw_clouds(far, shot, cw, hy, u, rng)
            draw = ImageDraw.Draw(far)
        if setting == "beach":
            draw.rectangle((0, hy, cw, ch), fill=(30, 110, 170))
            for k in range(6):
                y = hy + (k + 1) * 0.02 * self.height
                draw.line([(x, y + 3 * u * math.sin(x / (40 * u) + k)) for x in
                           range(0, cw, 8)], fill=(90, 160, 210), width=max(1, int(2 * u)))
            sand_y = int(hy + 0.16 * self.height)
            nd.polygon([(0, sand_y + 20 * u), (cw * 0.4, sand_y - 10 * u),
                        (cw, sand_y + 10 * u), (cw, ch), (0, ch)], fill=(232, 205, 150, 255))
        elif setting in ("mountains", "snow", "forest", "park", "desert", "plain", "city"):
            ridge_color = {"mountains": (95, 110, 140), "snow": (200, 210, 230),
                           "forest": (60, 110, 90), "park": (110, 150, 120),
                           "desert": (200, 150, 100), "plain": (140, 160, 170),
                           "city": (120, 130, 150)}[setting]
            if shot.weather == "snow" and setting not in ("city", "forest"):
                ridge_color = (205, 212, 230)
            if setting == "city":
                self._draw_skyline(draw, cw, hy, u, rng, night)
            else:
                self._draw_ridges(draw, setting, ridge_color, cw, hy, u, rng)
            ground = {"mountains": (90, 140, 80), "snow": (238, 242, 250),
                      "forest": (60, 120, 55), "park": (95, 170, 80), "desert": (225, 185, 120),
                      "plain": (150, 170, 140), "city": (75, 75, 82)}[setting]
            if shot.weather == "snow" and setting != "city":
                ground = (236, 240, 248)  # snow settles on the ground
            nd.rectangle((0, hy, cw, ch), fill=(*ground, 255))
            if setting == "city":
                nd.rectangle((0, hy, cw, hy + 0.05 * self.height), fill=(150, 150, 155, 255))
                lane = hy + 0.2 * self.height
                for x in range(0, cw, int(120 * u)):
                    nd.rectangle((x, lane, x + 60 * u, lane + 8 * u), fill=(240, 220, 90, 255))
            elif setting == "desert":
                for k in range(3):
                    y0 = hy + (k + 1) * 0.08 * self.height
                    nd.line([(x, y0 + 10 * u * math.sin(x / (90 * u) + 2 * k))
                             for x in range(0, cw, 10)], fill=(205, 160, 100, 255),
                            width=max(1, int(3 * u)))
            else:
                for _ in range(int(120 * u * cw / 1000)):
                    x, y = rng.uniform(0, cw), rng.uniform(hy, ch)
                    tone = _shade(ground, float(rng.uniform(0.85, 1.1)))
                    nd.line((x, y, x + rng.uniform(-3, 3) * u, y - 8 * u), fill=(*tone, 255),
                            width=max(1, int(2 * u)))
        elif setting == "underwater":
            for _ in range(7):  # light shafts from the surface
                x = rng.uniform(0, cw)
                draw.polygon([(x, 0), (x + 40 * u, 0), (x + 140 * u, hy), (x + 60 * u, hy)],
                             fill=(70, 170, 210))
            nd.polygon([(0, hy), (cw * 0.5, hy - 25 * u), (cw, hy + 5 * u), (cw, ch), (0, ch)],
                       fill=(200, 180, 130, 255))
        elif setting in ("interior", "kitchen"):
            wx = cw * float(rng.uniform(0.25, 0.55))
            window = (SKY.get(time, SKY["day"])[1])
            draw.rectangle((wx, hy * 0.3, wx + 0.28 * self.width, hy * 0.62), fill=window,
                           outline=(120, 90, 60), width=int(10 * u))
            floor = (150, 105, 70) if setting == "interior" else (210, 210, 215)
            nd.rectangle((0, hy, cw, ch), fill=(*floor, 255))
            for x in range(0, cw, int(90 * u)):
                nd.line((x, hy, x - (cw / 2 - x) * 0.3, ch), fill=(*_shade(floor, 0.85), 255),
                        width=max(1, int(2 * u)))
            if setting == "kitchen":
                nd.rectangle((0, hy - 0.12 * self.height, cw, hy), fill=(240, 240, 240, 255))
                nd.rectangle((0, hy - 0.125 * self.height, cw, hy - 0.11 * self.height),
                             fill=(90, 70, 60, 255))
        elif setting == "stage":
            for side in (0, 1):
                x0 = 0 if side == 0 else cw - 0.22 * cw
                nd.rectangle((x0, 0, x0 + 0.22 * cw, ch), fill=(150, 20, 35, 255))
                for k in range(6):
                    xx = x0 + k * 0.22 * cw / 6
                    nd.line((xx, 0, xx, ch), fill=(110, 10, 25, 255), width=max(1, int(4 * u)))
            nd.rectangle((0, hy, cw, ch), fill=(90, 60, 40, 255))
            cx = cw / 2
            nd.polygon([(cx - 30 * u, 0), (cx + 30 * u, 0), (cx + 0.3 * cw, hy + 0.1 * self.height),
                        (cx - 0.3 * cw, hy + 0.1 * self.height)], fill=(255, 245, 200, 45))
        self._draw_props(near, shot, cw, ch, hy, rng)
        return far, near

    def _draw_sun(self, draw: ImageDraw.ImageDraw, time: str, cw: int, hy: int, u: float,
                  rng: np.random.Generator, setting: str) -> None:
        if setting == "space":
            x, y, r = cw * rng.uniform(0.6, 0.85), hy * 0.15, 70 * u
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(90, 130, 220))
            draw.ellipse((x - r * 0.6, y - r * 0.5, x + r * 0.2, y + r * 0.1), fill=(80, 170, 90))
            return
        pos = {"dawn": (0.2, 0.85), "day": (0.7, 0.25), "noon": (0.5, 0.12),
               "sunset": (0.78, 0.88), "night": (0.72, 0.18)}[time]
        x = self.mx + pos[0] * self.width
        y = min(hy - 10, self.my + pos[1] * (hy - self.my))
        r = (55 if time == "night" else 75) * u
        if time == "night":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(245, 245, 225))
            draw.ellipse((x - r * 0.6, y - r * 1.1, x + r * 1.3, y + r * 0.6), fill=SKY["night"][0])
        else:
            glow = {"dawn": (255, 200, 150), "sunset": (255, 170, 90)}.get(time, (255, 250, 210))
            draw.ellipse((x - r * 1.5, y - r * 1.5, x + r * 1.5, y + r * 1.5),
                         fill=_shade(glow, 0.95))
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 245, 200))

    def _draw_clouds(self, far: Image.Image, shot: Shot, cw: int, hy: int, u: float,
                     rng: np.random.Generator) -> None:
        layer = Image.new("L", (cw, hy), 0)
        d = ImageDraw.Draw(layer)
        many = shot.weather in ("rain", "storm", "fog", "snow")
        for _ in range(int(rng.integers(10, 18)) if many else int(rng.integers(2, 6))):
            x, y = rng.uniform(0, cw), rng.uniform(0.05, 0.6) * hy
            for _k in range(5):
                r = rng.uniform(40, 90) * u
                ox, oy = rng.uniform(-90, 90) * u, rng.uniform(-20, 20) * u
                d.ellipse((x + ox - r * 1.4, y + oy - r, x + ox + r * 1.4, y + oy + r), fill=230)
        layer = layer.filter(ImageFilter.GaussianBlur(12 * u))
        tone = {"storm": (90, 95, 110), "rain": (150, 155, 165), "snow": (220, 225, 235),
                "fog": (200, 205, 210)}.get(shot.weather, (250, 250, 252))
        if shot.time_of_day == "night":
            tone = _shade(tone, 0.35)
        elif shot.time_of_day in ("sunset", "dawn"):
            tone = (min(255, tone[0] + 10), int(tone[1] * 0.85), int(tone[2] * 0.8))
        far.paste(Image.new("RGB", layer.size, tone), (0, 0), layer)

    def _draw_ridges(self, draw: ImageDraw.ImageDraw, setting: str,
                     color: tuple[int, int, int], cw: int, hy: int, u: float,
                     rng: np.random.Generator) -> None:
        height = {"mountains": 0.32, "snow": 0.18, "desert": 0.08, "forest": 0.12,
                  "park": 0.07, "plain": 0.05}[setting] * self.height
        for layer in range(2):
            k = 1.0 - 0.25 * layer
            col = _shade(color, 0.85 + 0.2 * layer)
            pts = [(0.0, float(hy))]
            x = 0.0
            while x < cw:
                x += float(rng.uniform(60, 160)) * u
                pts.append((x, hy - float(rng.uniform(0.3, 1.0)) * height * k))
            pts.append((float(cw), float(hy)))
            if setting == "forest":  # a tree line of pointed tops
                pts = [(0.0, float(hy))]
                for x in np.arange(0, cw, 28 * u):
                    top = hy - height * k * float(rng.uniform(0.5, 1.0))
                    pts += [(float(x), hy - height * 0.3 * k), (float(x + 14 * u), top)]
                pts.append((float(cw), float(hy)))
            draw.polygon(pts, fill=col)
            if setting in ("mountains", "snow") and layer == 0:
                for (x0, y0) in pts[1:-1]:
                    if y0 < hy - height * 0.7:
                        s = 22 * u
                        draw.polygon([(x0 - s, y0 + s), (x0, y0), (x0 + s, y0 + s)],
                                     fill=(245, 248, 255))

    def _draw_skyline(self, draw: ImageDraw.ImageDraw, cw: int, hy: int, u: float,
                      rng: np.random.Generator, night: bool) -> None:
        for layer in range(2):
            x = 0.0
            base = (70, 80, 105) if layer == 0 else (95, 105, 130)
            while x < cw:
                bw = float(rng.uniform(60, 140)) * u
                bh = float(rng.uniform(0.12, 0.38)) * self.height * (1.0 - 0.3 * layer)
                col = _shade(base, float(rng.uniform(0.85, 1.15)))
                draw.rectangle((x, hy - bh, x + bw, hy), fill=col)
                lit = (255, 220, 120) if night else _shade(col, 1.35)
                for wy in np.arange(hy - bh + 10 * u, hy - 12 * u, 22 * u):
                    for wx in np.arange(x + 8 * u, x + bw - 14 * u, 20 * u):
                        if not night or rng.random() < 0.45:
                            draw.rectangle((wx, wy, wx + 8 * u, wy + 11 * u), fill=lit)
                x += bw + float(rng.uniform(0, 12)) * u

    def _draw_props(self, near: Image.Image, shot: Shot, cw: int, ch: int, hy: int,
                    rng: np.random.Generator) -> None:
        props = PROPS.get(shot.setting, ())
        if not props:
            return
        count = int(rng.integers(2, 5))
        for k in range(count):
            glyph = props[k % len(props)]
            # Keep props at the sides so they frame the subjects rather than hide them.
            side = rng.uniform(0.0, 0.22) if k % 2 == 0 else rng.uniform(0.78, 1.0)
            x = side * cw
            if shot.setting == "space":
                y, size = ch * 0.25, 0.12 * self.height
            elif shot.setting in ("interior", "kitchen") and glyph == "🖼️":
                y, size = hy * 0.5, 0.1 * self.height
            else:
                y = hy + rng.uniform(0.02, 0.12) * self.height
                size = rng.uniform(0.1, 0.2) * self.height
            art = glyph_image(glyph, int(size))
            near.alpha_composite(art, (int(x - art.width / 2), int(y - art.height)))

    # --- per frame --------------------------------------------------------------------

    def _layer_view(self, layer: Image.Image, cam: tuple[float, float, float],
                    parallax: float) -> Image.Image:
        w, h = self.width, self.height
        ox, oy, zoom = cam
        z = 1.0 + parallax * (zoom - 1.0)
        cx = self.mx + w / 2 + parallax * ox * w
        cy = self.my + h / 2 + parallax * oy * h
        half_w, half_h = w / 2 / z, h / 2 / z
        cx = min(max(cx, half_w), layer.width - half_w)
        cy = min(max(cy, half_h), layer.height - half_h)
        if abs(z - 1.0) < 1e-6:
            # A pure pan moves whole pixels: a crop, no resampling (the costliest step).
            left, top = round(cx - half_w), round(cy - half_h)
            return layer.crop((left, top, left + w, top + h))
        box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        return layer.resize((w, h), Image.Resampling.BILINEAR, box=box)

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
        cam = camera_at(shot, tl, self.plan.seed + shot_index)
        if scene.static is not None and cam == (0.0, 0.0, 1.0):
            frame = scene.static.copy()
        else:
            frame = self._layer_view(scene.far, cam, FAR_PARALLAX if scene.near else 0.7)
            if scene.near is not None:
                near = self._layer_view(scene.near, cam, NEAR_PARALLAX)
                frame.paste(near, (0, 0), near)
        draw = ImageDraw.Draw(frame)
        if shot.setting == "beach" and not self.image:
            self._draw_waves(draw, scene, tl, cam)
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
        if flash > 0:
            self._draw_bolt(draw, shot_index, scene.flashes.index(
                next(f for f in scene.flashes if 0 <= tl - f < 0.25)))
        frame = self._grade(frame, scene, flash, index)
        if self.plan.captions:
            self._draw_caption(frame, shot, t)
        return frame

    def _draw_waves(self, draw: ImageDraw.ImageDraw, scene: _Scene, tl: float,
                    cam: tuple[float, float, float]) -> None:
        u = self.height / 1280
        hy = HORIZON["beach"] * self.height
        for k in range(3):
            y_world = (hy + (0.1 + 0.018 * k + 0.01 * math.sin(tl * 1.3 + k)) * self.height)
            _, sy, _z = self._to_screen(0.5, y_world / self.height, 0.0, cam)
            pts = [(x, sy + 4 * u * math.sin(x / (50 * u) + tl * 2 + k))
                   for x in range(0, self.width + 12, 12)]
            draw.line(pts, fill=scene.tone((235, 245, 250)), width=max(1, int(3 * u)))

    def _draw_subjects(self, frame: Image.Image, shot: Shot, shot_index: int, tl: float,
                       index: int, cam: tuple[float, float, float]) -> None:
        by_id = {s.id: s for s in shot.subjects}
        ground = shot.setting not in ("space", "underwater", "sky")
        for subject in sorted(shot.subjects, key=lambda s: (-s.depth, s.id)):
            levels = self.levels.get(subject.id)
            level = float(levels[index]) if levels is not None and index < len(levels) else 0.0
            p = pose(subject, shot, tl, level, by_id)
            sx, sy, z = self._to_screen(p.x, p.y, subject.depth, cam)
            height = subject.scale * self.height * (1.0 - 0.45 * subject.depth) * p.scale * z
            height = max(SIZE_STEP, round(height / SIZE_STEP) * SIZE_STEP)
            mouth = round(min(1.0, level) * 4) if subject.character else 0
            worn = tuple((a.glyph, a.anchor, a.item, a.color) for a in subject.accessories)
            phase = (cameo_phase(subject.action, tl, subject.id)
                     if subject.character in self.cutouts else 0)  # a cameo's pose
            key = (shot_index, subject.glyph, subject.character, subject.color, height,
                   round(p.angle / 2) * 2, p.flip, round(p.squash, 2), mouth, worn, phase)
            art = self._art_cache.get(key)
            if art is None:
                art = self._posed_art(subject, height, p.angle, p.flip, p.squash, mouth,
                                      self._scene(shot_index), phase)
                if art is None:
                    continue
                if len(self._art_cache) > 400:  # rotations and sizes vary; keep memory flat
                    self._art_cache.clear()
                self._art_cache[key] = art
            in_water = shot.setting == "beach" and subject.action in ("surf", "swim")
            if ground and not in_water and subject.action != "fly" and subject.y > 0.55:
                base_y = self._to_screen(p.x, subject.y, subject.depth, cam)[1]
                sw = max(4, int(art.width * 0.8))
                mask = shadow_mask(sw - sw % 4, max(4, (sw // 6) - (sw // 6) % 2))
                frame.paste((0, 0, 0), (int(sx - mask.width / 2),
                                        int(base_y - mask.height / 2)), mask)
            frame.paste(art, (int(sx - art.width / 2), int(sy - art.height)), art)

    def _posed_art(self, subject: Subject, height: int, angle: float, flip: bool,
                   squash: float, mouth: int, scene: _Scene,
                   phase: int = 0) -> Image.Image | None:
        cameo = self.cutouts.get(subject.character or "")
        art = (cameo_image(cameo, subject.noun, subject.action, phase, height, mouth)
               if cameo else self._art(subject, height))
        if art is None:
            return None
        if mouth and not cameo:
            art = self._with_mouth(art, mouth / 4)
        # Worn things go on before the pose, so they bob, turn and mirror with the subject.
        if subject.accessories:
            head = (cameo_head(cameo, subject.noun, subject.action, phase, height) if cameo
                    else glyph_head(subject.glyph))
            art = dress(art, subject.accessories, head)
        if flip:
            art = art.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if abs(squash - 1.0) > 1e-3:
            art = art.resize((art.width, max(1, int(art.height * squash))),
                             Image.Resampling.BILINEAR)
        if abs(angle) > 0.5:
            art = art.rotate(round(angle / 2) * 2, resample=Image.Resampling.BILINEAR,
                             expand=True)
        return art.point([*scene.lut, *range(256)])

    def _art(self, subject: Subject, height: int) -> Image.Image | None:
        if subject.character and subject.character in self.cutouts and not subject.glyph:
            return cutout_image(self.cutouts[subject.character], height)
        if not subject.glyph:
            return None
        return glyph_image(subject.glyph, height, subject.color)

    @staticmethod
    def _with_mouth(art: Image.Image, level: float) -> Image.Image:
        # Cutouts are head and shoulders: the mouth sits a little under the middle.
        art = art.copy()
        w, h = art.size
        cx, cy = w / 2, h * 0.47
        mw, mh = w * 0.1, max(1.0, w * 0.06 * min(1.0, level * 1.4))
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

    def _draw_caption(self, frame: Image.Image, shot: Shot, t: float) -> None:
        line = next((ln for s in self.plan.shots for ln in s.dialogue
                     if ln.start <= t < ln.end), None)
        if line is None:
            return
        size = max(12, int(min(self.height * 0.032, self.width * 0.055)))
        font = _caption_font(size)
        draw = ImageDraw.Draw(frame)
        words, rows, row = line.text.split(), [], ""
        for word in words:
            trial = f"{row} {word}".strip()
            if draw.textlength(trial, font=font) > self.width * 0.86 and row:
                rows.append(row)
                row = word
            else:
                row = trial
        rows.append(row)
        y = self.height * 0.93 - min(3, len(rows)) * size * 1.25
        for text in rows[-3:]:
            width = draw.textlength(text, font=font)
            x = (self.width - width) / 2
            draw.text((x, y), text, font=font, fill=(255, 255, 255),
                      stroke_width=max(1, size // 10), stroke_fill=(0, 0, 0))
            y += size * 1.25


@lru_cache(maxsize=4)
def _caption_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
                 "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                 "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


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
