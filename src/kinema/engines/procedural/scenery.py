"""Places: what each of the plan's settings looks like, as data.

Every setting is a ``Place``: its kind (outdoors, indoors, beyond), where its floor meets
the sky or the back wall, the colours of its ground and walls, a list of layers drawn by
small painters ("shelves of bottles", "a crowd on tiers", "a river") and OpenMoji props
at given spots. ``paint`` draws a place once per shot into two oversized layers (a far
one seen through windows or behind the hills, and a near one) and returns the things
that move by themselves every frame (water, leaves, screens, crowds, lights), drawn by
``draw_idle``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from kinema.engines.procedural.glyphs import glyph_image
from kinema.engines.procedural.lettering import sign_board

Color = tuple[int, int, int]
Box = tuple[float, float, float, float]

# Sky gradient (top, horizon) per time of day.
SKY: dict[str, tuple[Color, Color]] = {
    "dawn": ((70, 90, 160), (250, 175, 150)),
    "day": ((80, 145, 230), (185, 220, 245)),
    "noon": ((55, 135, 240), (170, 215, 252)),
    "sunset": ((55, 45, 115), (252, 135, 70)),
    "night": ((6, 10, 30), (28, 38, 78)),
}
# Where the light comes from, per time of day: x direction (-1 from the left, +1 from the
# right) and how low it is (1 = at the horizon: long shadows).
SUN = {"dawn": (-0.85, 0.95), "day": (0.55, 0.5), "noon": (0.15, 0.15),
       "sunset": (0.9, 1.0), "night": (0.45, 0.45)}
# Subjects' feet on the floor plane: near the camera (depth 0) at FLOOR_BASE of the frame
# height, receding toward the horizon with depth; things shrink by the same rule.
FLOOR_BASE = 0.88
DEPTH_SHRINK = 0.6


@dataclass(frozen=True)
class Prop:
    """An OpenMoji prop at a fixed spot: ``x`` (frame fraction of its centre), ``size``
    (its height, a fraction of the frame's shorter side) and ``y``: for ``at="floor"`` its
    depth (0 near .. 1 at the back), otherwise the frame fraction of its base."""

    glyph: str
    x: float
    size: float
    y: float = 0.3
    at: str = "floor"  # "floor" | "base" (stands at y) | "far" (on the far layer)


@dataclass(frozen=True)
class Place:
    kind: str  # "outdoor" (sun and weather), "indoor" (room light, windows) or "beyond"
    horizon: float  # frame fraction where the floor meets the sky or back wall
    ground: Color
    floor: str = "grass"  # floor pattern
    wall: Color | None = None  # indoors: the back wall
    backdrop: str = "sky"  # "sky", "space", "underwater", "cave", "mars", "moon", "clouds"
    view: str = "garden"  # what windows look out on: "garden", "city", "stars", "tarmac"
    layers: tuple[tuple[str, dict[str, Any]], ...] = ()
    props: tuple[Prop, ...] = ()
    grounded: bool = True  # subjects stand on a floor (not space, sky, underwater)
    floor_top: float = 0.0  # where the floor starts when water lies before it (beach, lake)
    floodlit: bool = False  # lit by its own lamps at night (a stadium)
    # A fixed light for places beyond the sun's reach (caves, space, the Moon).
    light: tuple[float, float, float] | None = None


def floor_y(place: Place, depth: float) -> float:
    """Frame fraction where something standing at ``depth`` has its feet."""
    hy = min(place.horizon, 0.8)
    return hy + (FLOOR_BASE - hy) * (1.0 - DEPTH_SHRINK * max(0.0, min(1.0, depth)))


def depth_scale(depth: float) -> float:
    return 1.0 - DEPTH_SHRINK * max(0.0, min(1.0, depth)) * 0.75


@dataclass
class Idle:
    """Something that moves by itself: ``rows`` of numbers whose meaning depends on
    ``kind``, in canvas pixels, drawn every frame by ``draw_idle``."""

    kind: str
    rows: np.ndarray
    color: Color
    parallax: float = 1.0
    colors: tuple[Color, ...] = ()
    span: float = 0.0  # how far things that drift across go before they wrap (px)


@dataclass
class PropBox:
    glyph: str
    box: Box  # canvas pixels
    parallax: float


@dataclass
class Scenery:
    far: Image.Image  # RGB, the canvas size
    near: Image.Image  # RGBA
    idle: list[Idle]
    props: list[PropBox]
    light_x: float  # where the key light comes from, -1 left .. +1 right
    light_low: float  # 0 overhead .. 1 at the horizon (shadow length)


# --- colour helpers -----------------------------------------------------------------------


def shade(color: Color, k: float) -> Color:
    r, g, b = (int(max(0, min(255, c * k))) for c in color)
    return (r, g, b)


def mix(a: Color, b: Color, k: float) -> Color:
    r, g, bb = (int(x * (1 - k) + y * k) for x, y in zip(a, b, strict=True))
    return (r, g, bb)


def gradient(h: int, w: int, top: Color, bottom: Color, split: float) -> Image.Image:
    """A vertical gradient from ``top`` at row 0 to ``bottom`` at row ``split``."""
    h, w = max(1, int(h)), max(1, int(w))
    ramp = np.clip(np.arange(h, dtype=np.float32) / max(split, 1.0), 0.0, 1.0)[:, None, None]
    column = (np.asarray(top, np.float32)[None, None] * (1 - ramp)
              + np.asarray(bottom, np.float32)[None, None] * ramp)
    strip = Image.fromarray(np.ascontiguousarray(column.astype(np.uint8)), "RGB")
    return strip.resize((w, h), Image.Resampling.NEAREST)


# --- the painting context ---------------------------------------------------------------


@dataclass
class Painter:
    """One shot's canvases and what a layer painter needs to know about them."""

    far: Image.Image
    near: Image.Image
    w: int
    h: int
    mx: int
    my: int
    hy: float  # canvas y of the horizon / floor line
    rng: np.random.Generator
    time: str
    weather: str
    safe: dict[float, Box]  # parallax -> canvas box props must stay inside
    haze: Color  # the air's colour at the horizon, for distant things
    idle: list[Idle] = field(default_factory=list)
    props: list[PropBox] = field(default_factory=list)

    @property
    def cw(self) -> int:
        return self.far.width

    @property
    def ch(self) -> int:
        return self.far.height

    @property
    def u(self) -> float:  # size unit: 1 on a 720 px short side
        return min(self.w, self.h) / 720

    @property
    def night(self) -> bool:
        return self.time == "night"

    def X(self, fx: float) -> float:
        return self.mx + fx * self.w

    def Y(self, fy: float) -> float:
        return self.my + fy * self.h

    @property
    def fd(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.far)

    @property
    def nd(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.near)

    def moving(self, kind: str, rows: list[list[float]], color: Color, parallax: float = 1.0,
               colors: tuple[Color, ...] = (), span: float = 0.0) -> None:
        if rows:
            self.idle.append(Idle(kind, np.asarray(rows, dtype=np.float32), color, parallax,
                                  colors, span))

    def prop(self, art: Image.Image, cx: float, base: float, glyph: str,
             far: bool = False) -> None:
        """Paste ``art`` centred on canvas x ``cx`` with its bottom at ``base``, moved (and
        if need be shrunk) to stay inside the safe box so the camera never cuts it."""
        parallax = FAR_PARALLAX if far else 1.0
        x0, y0, x1, y1 = self.safe[parallax]
        if art.width > x1 - x0 or art.height > y1 - y0:
            k = min((x1 - x0) / art.width, (y1 - y0) / art.height)
            art = art.resize((max(1, int(art.width * k)), max(1, int(art.height * k))),
                             Image.Resampling.LANCZOS)
        left = min(max(cx - art.width / 2, x0), x1 - art.width)
        top = min(max(base - art.height, y0), y1 - art.height)
        layer = self.far if far else self.near
        if far:
            layer.paste(art, (int(left), int(top)), art)
        else:
            layer.alpha_composite(art, (int(left), int(top)))
        self.props.append(PropBox(glyph, (int(left), int(top), int(left) + art.width,
                                          int(top) + art.height), parallax))


FAR_PARALLAX = 0.45


# --- backdrops ----------------------------------------------------------------------------


def _sky(p: Painter) -> None:
    top, bottom = SKY.get(p.time, SKY["day"])
    overcast = {"storm": 0.7, "rain": 0.55, "fog": 0.5, "snow": 0.45}.get(p.weather, 0.0)
    if overcast:  # clouds cover the sky: its colour goes toward grey
        grey = int(0.35 * (sum(top) + sum(bottom)) / 6)
        light = min(255, int(grey * 1.6))
        top = mix(top, (grey, grey, grey), overcast)
        bottom = mix(bottom, (light, light, light), overcast)
    p.far.paste(gradient(p.ch, p.cw, top, bottom, p.hy))
    if p.night:
        _stars(p, p.hy)
    if overcast < 0.5:
        _sun(p)
    if p.weather != "clear" or p.rng.random() < 0.8:
        _clouds(p, many=overcast > 0)


def _stars(p: Painter, bottom: float, count: int | None = None) -> None:
    d = p.fd
    n = count or int(260 * p.cw * p.ch / (1000 * 1600)) + 40
    rows = []
    for k, (x, y, r) in enumerate(zip(p.rng.uniform(0, p.cw, n), p.rng.uniform(0, bottom, n),
                                      p.rng.uniform(0.6, 2.2, n) * p.u * 1.3, strict=True)):
        d.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 235))
        if k % 7 == 0 and r > 1.5 * p.u:
            rows.append([x, y, r * 1.3, k * 0.37, 1.5 + k % 3])
    p.moving("twinkle", rows[:30], (255, 255, 240), FAR_PARALLAX)


def _sun(p: Painter) -> None:
    d = p.fd
    pos = {"dawn": (0.2, 0.85), "day": (0.7, 0.25), "noon": (0.5, 0.12),
           "sunset": (0.78, 0.88), "night": (0.72, 0.18)}[p.time]
    x = p.X(pos[0])
    y = min(p.hy - 10, p.my + pos[1] * (p.hy - p.my))
    r = (40 if p.night else 52) * p.u
    if p.night:
        d.ellipse((x - r, y - r, x + r, y + r), fill=(245, 245, 225))
        d.ellipse((x - r * 0.6, y - r * 1.1, x + r * 1.3, y + r * 0.6), fill=SKY["night"][0])
        return
    glow = {"dawn": (255, 200, 150), "sunset": (255, 170, 90)}.get(p.time, (255, 250, 210))
    top, bottom = SKY.get(p.time, SKY["day"])
    sky_here = mix(top, bottom, max(0.0, min(1.0, y / max(p.hy, 1))))
    for k, rr in enumerate((2.4, 1.8, 1.35)):
        d.ellipse((x - r * rr, y - r * rr, x + r * rr, y + r * rr),
                  fill=mix(sky_here, glow, 0.25 + 0.2 * k))
    d.ellipse((x - r, y - r, x + r, y + r), fill=(255, 246, 205))


def _clouds(p: Painter, many: bool, top: float = 0.05, bottom: float = 0.6,
            tone: Color | None = None) -> None:
    hy = int(p.hy)
    # Clouds are soft: drawn and blurred at a quarter of the size, then scaled up.
    q = 4
    layer = Image.new("L", (max(1, p.cw // q), max(1, hy // q)), 0)
    d = ImageDraw.Draw(layer)
    u = p.u * 1.3
    for _ in range(int(p.rng.integers(10, 18)) if many else int(p.rng.integers(2, 6))):
        x, y = p.rng.uniform(0, p.cw), p.rng.uniform(top, bottom) * hy
        for _k in range(5):
            r = p.rng.uniform(30, 70) * u
            ox, oy = p.rng.uniform(-80, 80) * u, p.rng.uniform(-18, 18) * u
            d.ellipse(((x + ox - r * 1.4) / q, (y + oy - r) / q, (x + ox + r * 1.4) / q,
                       (y + oy + r) / q), fill=230)
    layer = layer.filter(ImageFilter.GaussianBlur(10 * u / q)).resize(
        (p.cw, max(1, hy)), Image.Resampling.BILINEAR)
    if tone is None:
        tone = {"storm": (90, 95, 110), "rain": (150, 155, 165), "snow": (220, 225, 235),
                "fog": (200, 205, 210)}.get(p.weather, (250, 250, 252))
        if p.night:
            tone = shade(tone, 0.35)
        elif p.time in ("sunset", "dawn"):
            tone = (min(255, tone[0] + 10), int(tone[1] * 0.85), int(tone[2] * 0.8))
    p.far.paste(Image.new("RGB", layer.size, tone), (0, 0), layer)


def _backdrop_space(p: Painter) -> None:
    p.far.paste(gradient(p.ch, p.cw, (3, 3, 12), (22, 10, 42), p.ch))
    neb = Image.new("L", (p.cw, p.ch), 0)
    d = ImageDraw.Draw(neb)
    for _ in range(6):
        x, y, r = p.rng.uniform(0, p.cw), p.rng.uniform(0, p.ch), p.rng.uniform(80, 200) * p.u
        d.ellipse((x - r * 1.6, y - r, x + r * 1.6, y + r), fill=int(p.rng.uniform(40, 90)))
    neb = neb.filter(ImageFilter.GaussianBlur(40 * p.u))
    p.far.paste(Image.new("RGB", neb.size, (120, 60, 170)), (0, 0), neb)
    _stars(p, p.ch, int(420 * p.cw * p.ch / (1000 * 1600)) + 60)


def _backdrop_underwater(p: Painter) -> None:
    p.far.paste(gradient(p.ch, p.cw, (40, 150, 200), (8, 40, 90), p.hy))
    d = p.fd
    for _ in range(7):  # light shafts from the surface
        x = p.rng.uniform(0, p.cw)
        d.polygon([(x, 0), (x + 40 * p.u, 0), (x + 150 * p.u, p.hy), (x + 70 * p.u, p.hy)],
                  fill=(64, 165, 208))


def _backdrop_cave(p: Painter) -> None:
    p.far.paste(gradient(p.ch, p.cw, (8, 7, 10), (30, 26, 30), p.hy))
    # A lit opening far at the back, the way out: a soft glow with a ragged edge.
    cx, cy = p.X(0.62), p.hy - 0.1 * p.h
    sky = SKY.get(p.time, SKY["day"])[1]
    mask = Image.new("L", (p.cw, p.ch), 0)
    d = ImageDraw.Draw(mask)
    r = 0.12 * p.w
    pts = []
    for k in range(16):
        a = 2 * math.pi * k / 16
        rr = r * float(p.rng.uniform(0.75, 1.1))
        pts.append((cx + rr * math.cos(a), cy + rr * 1.3 * math.sin(a)))
    d.polygon(pts, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(14 * p.u))
    p.far.paste(Image.new("RGB", mask.size, mix(sky, (255, 255, 255), 0.3)), (0, 0), mask)


def _backdrop_mars(p: Painter) -> None:
    top, bottom = ((120, 80, 60), (225, 160, 110)) if not p.night else ((20, 12, 14), (70, 40, 34))
    p.far.paste(gradient(p.ch, p.cw, top, bottom, p.hy))
    d = p.fd
    x, y, r = p.X(0.72), p.Y(0.16), 22 * p.u  # a small, pale sun
    if p.night:
        _stars(p, p.hy)
    else:
        d.ellipse((x - r * 2, y - r * 2, x + r * 2, y + r * 2), fill=mix(top, (240, 220, 200), 0.3))
        d.ellipse((x - r, y - r, x + r, y + r), fill=(245, 235, 215))


def _backdrop_moon(p: Painter) -> None:
    p.far.paste(gradient(p.ch, p.cw, (0, 0, 4), (10, 10, 18), p.hy))
    _stars(p, p.hy)
    d = p.fd
    x, y, r = p.X(0.72), p.Y(0.17), 62 * p.u  # the Earth, half lit
    d.ellipse((x - r * 1.15, y - r * 1.15, x + r * 1.15, y + r * 1.15), fill=(30, 50, 90))
    d.ellipse((x - r, y - r, x + r, y + r), fill=(50, 110, 205))
    for ox, oy, rx, ry in ((-0.3, -0.2, 0.35, 0.25), (0.25, 0.25, 0.3, 0.35),
                           (-0.1, 0.45, 0.25, 0.15)):
        d.ellipse((x + (ox - rx) * r, y + (oy - ry) * r, x + (ox + rx) * r, y + (oy + ry) * r),
                  fill=(70, 150, 80))
    for oy in (-0.55, 0.05, 0.6):
        d.arc((x - 0.8 * r, y + (oy - 0.1) * r, x + 0.8 * r, y + (oy + 0.1) * r), 200, 340,
              fill=(235, 240, 250), width=max(1, int(4 * p.u)))
    d.chord((x - r, y - r, x + r, y + r), 110, 250, fill=(14, 22, 44))


def _backdrop_clouds(p: Painter) -> None:
    _sky(p)
    _clouds(p, many=True, top=0.6, bottom=1.0,
            tone=shade((250, 250, 252), 0.4 if p.night else 1.0))


def _backdrop_wall(p: Painter) -> None:
    """Indoors, the far layer is what the windows look out on."""
    _sky(p)


BACKDROPS: dict[str, Callable[[Painter], None]] = {
    "sky": _sky, "space": _backdrop_space, "underwater": _backdrop_underwater,
    "cave": _backdrop_cave, "mars": _backdrop_mars, "moon": _backdrop_moon,
    "clouds": _backdrop_clouds,
}


def _view(p: Painter, view: str) -> None:
    """What the windows of a room show, on the far layer."""
    d = p.fd
    base = p.Y(0.5)
    if view == "city":
        _skyline_on(p, d, base, 0.3, (80, 90, 115), FAR_PARALLAX)
    elif view == "tarmac":
        d.rectangle((0, p.Y(0.36), p.cw, p.ch), fill=(95, 100, 105))
        for x in np.arange(0, p.cw, 90 * p.u):
            d.rectangle((x, p.Y(0.42), x + 45 * p.u, p.Y(0.42) + 5 * p.u), fill=(235, 220, 110))
        for fx, size, y in ((0.25, 0.13, 0.36), (0.78, 0.09, 0.3)):
            plane = glyph_image("✈️", int(size * min(p.w, p.h)))
            d.bitmap((0, 0), Image.new("1", (1, 1)))  # keep the draw object alive
            p.far.paste(plane, (int(p.X(fx) - plane.width / 2), int(p.Y(y) - plane.height)),
                        plane)
    elif view == "stars":
        pass
    else:  # a garden: trees and a hedge
        col = mix((70, 120, 70), p.haze, 0.3)
        d.rectangle((0, base, p.cw, p.ch), fill=shade(col, 0.9))
        for x in np.arange(0, p.cw, 70 * p.u):
            r = p.rng.uniform(40, 70) * p.u
            d.ellipse((x - r, base - r * 1.6, x + r, base + r * 0.2), fill=col)


# --- outdoor layers -------------------------------------------------------------------------


def _ridges(p: Painter, color: Color, height: float, caps: bool = False,
            smooth: bool = False, layers: int = 2) -> None:
    d = p.fd
    for layer in range(layers):
        k = 1.0 - 0.28 * layer
        # Atmospheric perspective: the farther ridge takes more of the air's colour.
        col = mix(color, p.haze, 0.45 - 0.25 * layer)
        pts = [(0.0, p.hy)]
        x = 0.0
        step = (150, 320) if smooth else (50, 150)
        while x < p.cw:
            x += float(p.rng.uniform(*step)) * p.u
            pts.append((x, p.hy - float(p.rng.uniform(0.35, 1.0)) * height * p.h * k))
        pts.append((float(p.cw), p.hy))
        if smooth:
            pts = _smooth(pts)
        d.polygon(pts, fill=col)
        if caps and layer == 0:
            for x0, y0 in pts[1:-1]:
                if y0 < p.hy - height * p.h * 0.7:
                    s = 20 * p.u
                    d.polygon([(x0 - s * 1.3, y0 + s), (x0, y0), (x0 + s * 1.3, y0 + s)],
                              fill=mix((245, 248, 255), p.haze, 0.2))


def _smooth(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out = [pts[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(pts[1:-1]):
        for t in np.linspace(0, 1, 6, endpoint=False):
            s = (1 - math.cos(math.pi * t)) / 2
            out.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * s))
    out += pts[-2:]
    return out


def _treeline(p: Painter, color: Color = (50, 95, 70), height: float = 0.1,
              near: bool = False) -> None:
    d = p.nd if near else p.fd
    for layer in range(2):
        k = 1.0 - 0.3 * layer
        col = mix(color, p.haze, 0.45 - 0.3 * layer)
        base = p.hy + (0.0 if not near else 0.01 * p.h)
        pts = [(0.0, base)]
        for x in np.arange(0, p.cw + 30 * p.u, 26 * p.u):
            top = base - height * p.h * k * float(p.rng.uniform(0.5, 1.0))
            pts += [(float(x), base - height * p.h * 0.3 * k), (float(x + 13 * p.u), top)]
        pts.append((float(p.cw), base))
        if near:
            d.polygon(pts, fill=(*col, 255))
        else:
            d.polygon(pts, fill=col)


def _skyline_on(p: Painter, d: ImageDraw.ImageDraw, base: float, height: float,
                color: Color, parallax: float) -> None:
    rows = []
    for layer in range(2):
        x = 0.0
        tone = mix(color, p.haze, 0.35 - 0.3 * layer)
        while x < p.cw:
            bw = float(p.rng.uniform(55, 130)) * p.u
            bh = float(p.rng.uniform(0.35, 1.0)) * height * p.h * (1.0 - 0.3 * layer)
            col = shade(tone, float(p.rng.uniform(0.85, 1.12)))
            d.rectangle((x, base - bh, x + bw, base), fill=col)
            if p.rng.random() < 0.25:  # a spire or antenna
                d.line((x + bw / 2, base - bh, x + bw / 2, base - bh - 30 * p.u), fill=col,
                       width=max(1, int(3 * p.u)))
            lit = (255, 215, 120) if p.night else shade(col, 1.3)
            for wy in np.arange(base - bh + 10 * p.u, base - 12 * p.u, 20 * p.u):
                for wx in np.arange(x + 8 * p.u, x + bw - 12 * p.u, 18 * p.u):
                    if not p.night or p.rng.random() < 0.45:
                        d.rectangle((wx, wy, wx + 7 * p.u, wy + 10 * p.u), fill=lit)
                        if p.night and layer == 1 and p.rng.random() < 0.04:
                            rows.append([wx + 3.5 * p.u, wy + 5 * p.u, 5 * p.u,
                                         float(p.rng.uniform(0, 6)), 0.7])
            x += bw + float(p.rng.uniform(0, 10)) * p.u
    p.moving("twinkle", rows[:24], (255, 230, 150), parallax)


def _skyline(p: Painter, height: float = 0.3, color: Color = (75, 85, 110),
             lift: float = 0.0) -> None:
    _skyline_on(p, p.fd, p.hy - lift * p.h, height, color, FAR_PARALLAX)


def _sea(p: Painter, color: Color = (30, 110, 170), to: float | None = None) -> None:
    """Open water from the horizon down to frame fraction ``to`` (the whole ground when
    None), with glints that shimmer."""
    bottom = p.ch if to is None else p.Y(to)
    d = p.fd
    far_col = mix(color, p.haze, 0.35)
    p.far.paste(gradient(int(bottom - p.hy) + 1, p.cw, far_col, shade(color, 0.8),
                         bottom - p.hy), (0, int(p.hy)))
    rows = []
    for k in range(int(46 * p.cw / 1000) + 12):
        y = p.hy + (bottom - p.hy) * (k / (int(46 * p.cw / 1000) + 12)) ** 1.6
        x = p.rng.uniform(0, p.cw)
        ln = (8 + 50 * (y - p.hy) / max(1.0, bottom - p.hy)) * p.u
        d.line((x, y, x + ln, y), fill=mix(color, (200, 225, 240), 0.35), width=max(1, int(p.u)))
        rows.append([x, y, ln, k * 0.61, 1.2 + (k % 3) * 0.4])
    p.moving("ripple", rows, mix(color, (235, 245, 250), 0.6), FAR_PARALLAX)


def _shore(p: Painter, color: Color = (232, 205, 150), at: float = 0.7) -> None:
    y = p.Y(at)
    u = p.u
    p.nd.polygon([(0, y + 20 * u), (p.cw * 0.4, y - 8 * u), (p.cw, y + 12 * u), (p.cw, p.ch),
                  (0, p.ch)], fill=(*color, 255))
    # The wet band and foam where the waves end.
    rows = [[x, y + 4 * u + 14 * u * math.sin(x / (200 * u)), 60 * u, k * 0.9, 0.8]
            for k, x in enumerate(np.arange(0, p.cw, 70 * u))]
    p.moving("foam", rows, (245, 250, 252))


def _river(p: Painter, top: float = 0.7, bottom: float = 0.8,
           color: Color = (55, 125, 175)) -> None:
    """A river across the ground, flowing to the right, with banks."""
    d = p.nd
    y0, y1 = p.Y(top), p.Y(bottom)
    u = p.u
    bank = shade((120, 100, 70), 1.0)
    top_pts = [(float(x), y0 + 6 * u * math.sin(x / (130 * u))) for x in range(0, p.cw + 20, 20)]
    bot_pts = [(float(x), y1 + 8 * u * math.sin(x / (170 * u) + 1))
               for x in range(0, p.cw + 20, 20)]
    d.polygon([*top_pts, *reversed(bot_pts)], fill=(*color, 255))
    d.line(top_pts, fill=(*bank, 255), width=max(2, int(5 * u)))
    d.line(bot_pts, fill=(*shade(bank, 0.9), 255), width=max(2, int(7 * u)))
    rows = []
    for k in range(int(30 * p.cw / 1000) + 10):
        y = y0 + (y1 - y0) * float(p.rng.uniform(0.15, 0.85))
        rows.append([0.0, y, 40 * u * (0.6 + (y - y0) / max(1.0, y1 - y0)), k * 0.137,
                     0.05 + 0.04 * float(p.rng.random())])
    p.moving("flow", rows, mix(color, (235, 245, 255), 0.6), span=float(p.cw))


def _jetty(p: Painter, x: float = 0.72, top: float = 0.6, bottom: float = 0.76) -> None:
    """A wooden jetty running out over the water, on posts."""
    d = p.nd
    u = p.u
    y0, y1 = p.Y(top), p.Y(bottom)
    half0, half1 = 0.04 * min(p.w, p.h), 0.13 * min(p.w, p.h)
    cx = p.X(x)
    for k in range(6):  # posts
        f = k / 5
        y = y0 + (y1 - y0) * f
        half = half0 + (half1 - half0) * f
        for side in (-1, 1):
            px = cx + side * half
            d.rectangle((px - 3 * u, y, px + 3 * u, y + (10 + 20 * f) * u), fill=(90, 65, 45, 255))
    d.polygon([(cx - half0, y0), (cx + half0, y0), (cx + half1, y1), (cx - half1, y1)],
              fill=(160, 120, 80, 255))
    for k in range(1, 14):  # planks
        f = (k / 14) ** 1.3
        y = y0 + (y1 - y0) * f
        half = half0 + (half1 - half0) * f
        d.line((cx - half, y, cx + half, y), fill=(120, 88, 58, 255), width=max(1, int(2 * u)))


def _bridge(p: Painter, x0: float = 0.55, x1: float = 1.15, top: float = 0.55,
            deck: float = 0.6, foot: float = 0.76) -> None:
    """A stone bridge arching over the river, with a railing."""
    d = p.nd
    u = p.u
    X0, X1 = p.X(x0), p.X(x1)
    stone = (170, 160, 145)
    d.rectangle((X0, p.Y(deck), X1, p.Y(foot)), fill=(*stone, 255))
    d.chord((X0 + 0.12 * (X1 - X0), p.Y(deck) + 0.35 * (p.Y(foot) - p.Y(deck)),
             X1 - 0.12 * (X1 - X0), p.Y(foot) + 0.9 * (p.Y(foot) - p.Y(deck))), 180, 360,
            fill=(40, 70, 90, 255))
    for xx in np.arange(X0, X1, 26 * u):  # the stones' joints
        d.line((xx, p.Y(deck), xx, p.Y(deck) + 12 * u), fill=(*shade(stone, 0.8), 255),
               width=max(1, int(u)))
    d.rectangle((X0, p.Y(deck) - 4 * u, X1, p.Y(deck) + 4 * u), fill=(*shade(stone, 0.85), 255))
    d.rectangle((X0, p.Y(top), X1, p.Y(top) + 5 * u), fill=(*shade(stone, 0.75), 255))
    for xx in np.arange(X0 + 6 * u, X1, 22 * u):
        d.rectangle((xx, p.Y(top), xx + 5 * u, p.Y(deck)), fill=(*shade(stone, 0.75), 255))


def _lake(p: Painter, to: float = 0.74, color: Color = (50, 115, 160)) -> None:
    _ridges(p, (80, 110, 95), 0.12, smooth=True)
    _treeline(p, (45, 90, 65), 0.05)
    _sea(p, color, to)


def _waterfall(p: Painter, x: float = 0.5, width: float = 0.22) -> None:
    d = p.fd
    u = p.u
    cliff_top = p.Y(0.12)
    rock = (95, 90, 85)
    # The cliff: layered rock across the back, the water falling from a notch in it.
    pts = [(0.0, p.hy + 0.02 * p.h)]
    for fx in np.linspace(-0.2, 1.2, 15):
        pts.append((p.X(float(fx)), cliff_top + float(p.rng.uniform(-0.05, 0.06)) * p.h))
    pts.append((float(p.cw), p.hy + 0.02 * p.h))
    d.polygon(pts, fill=mix(rock, p.haze, 0.15))
    for k in range(14):
        yy = cliff_top + (p.hy - cliff_top) * k / 14
        d.line((0, yy, p.cw, yy + float(p.rng.uniform(-10, 10)) * u),
               fill=shade(rock, 0.8), width=max(1, int(3 * u)))
    for fx in np.linspace(-0.1, 1.1, 9):  # greenery on the ledges
        r = float(p.rng.uniform(20, 40)) * u
        y = cliff_top + float(p.rng.uniform(0, 0.3)) * (p.hy - cliff_top)
        d.ellipse((p.X(float(fx)) - r * 1.4, y - r, p.X(float(fx)) + r * 1.4, y + r),
                  fill=(60, 120, 70))
    x0, x1 = p.X(x - width / 2), p.X(x + width / 2)
    d.rectangle((x0, cliff_top - 0.02 * p.h, x1, p.hy + 0.04 * p.h), fill=(175, 215, 235))
    for xx in np.arange(x0, x1, 9 * u):
        d.line((xx, cliff_top, xx, p.hy + 0.04 * p.h), fill=(215, 235, 248),
               width=max(1, int(2 * u)))
    # The pool and its spray, on the near layer.
    nd = p.nd
    py = p.hy + 0.04 * p.h
    nd.ellipse((x0 - 0.3 * p.w, py - 0.03 * p.h, x1 + 0.3 * p.w, py + 0.09 * p.h),
               fill=(60, 140, 175, 255))
    rows = [[float(p.rng.uniform(x0, x1)), cliff_top, py, k * 0.13,
             0.7 + 0.5 * float(p.rng.random())]
            for k in range(int(26 * p.w / 720) + 8)]
    p.moving("fall", rows, (240, 250, 255), FAR_PARALLAX)
    spray = [[float(p.rng.uniform(x0 - 20 * u, x1 + 20 * u)), py, 14 * u, k * 0.71, 1.2]
             for k in range(18)]
    p.moving("foam", spray, (240, 248, 252))


def _castle(p: Painter, x: float = 0.62, size: float = 0.34) -> None:
    d = p.fd
    u = p.u
    col = mix((150, 145, 150), p.haze, 0.35)
    dark = shade(col, 0.75)
    base = p.hy + 0.01 * p.h
    w = size * min(p.w, p.h) * 1.5
    cx = p.X(x)
    hill = [(cx - w * 1.4, base + 0.03 * p.h), (cx - w * 0.6, base - 0.04 * p.h),
            (cx + w * 0.6, base - 0.04 * p.h), (cx + w * 1.4, base + 0.03 * p.h)]
    d.polygon(hill, fill=mix((90, 125, 80), p.haze, 0.3))
    base -= 0.04 * p.h
    wall_h = 0.32 * w
    d.rectangle((cx - w / 2, base - wall_h, cx + w / 2, base), fill=col)
    merlon = w / 14
    flags: list[list[float]] = []
    for k in range(14):
        if k % 2 == 0:
            d.rectangle((cx - w / 2 + k * merlon, base - wall_h - merlon * 0.8,
                         cx - w / 2 + (k + 1) * merlon, base - wall_h), fill=col)
    for tx, th in ((-0.5, 0.62), (0.5, 0.62), (-0.12, 0.85), (0.16, 0.75)):
        tw = w * 0.16
        x0 = cx + tx * w - tw / 2
        top = base - th * w
        d.rectangle((x0, top, x0 + tw, base), fill=col if tx else dark)
        d.polygon([(x0 - tw * 0.15, top), (x0 + tw / 2, top - tw * 1.1), (x0 + tw * 1.15, top)],
                  fill=(150, 60, 70))
        d.line((x0 + tw / 2, top - tw * 1.1, x0 + tw / 2, top - tw * 1.6), fill=(60, 50, 50),
               width=max(1, int(2 * u)))
        flags.append([x0 + tw / 2, top - tw * 1.6, tw * 0.6, tx * 5.0, 0.0])
        for wy in (0.3, 0.55):
            d.rectangle((x0 + tw * 0.38, top + th * w * wy, x0 + tw * 0.62,
                         top + th * w * wy + tw * 0.4),
                        fill=(255, 210, 110) if p.night else (40, 40, 50))
    d.chord((cx - w * 0.09, base - wall_h * 0.75, cx + w * 0.09, base - wall_h * 0.25 + w * 0.05),
            180, 360, fill=(60, 45, 40))
    d.rectangle((cx - w * 0.09, base - wall_h * 0.5 + w * 0.02, cx + w * 0.09, base),
                fill=(60, 45, 40))
    p.moving("flag", flags, (220, 60, 60), FAR_PARALLAX)


def _cottages(p: Painter, count: int = 5) -> None:
    d = p.nd
    u = p.u
    rows = []
    colors = ((235, 220, 190), (225, 200, 170), (240, 235, 220), (210, 190, 160))
    roofs = ((170, 70, 55), (120, 85, 60), (150, 95, 70), (90, 90, 100))
    xs = np.linspace(-0.1, 1.1, count + 1)
    for k, fx in enumerate(xs):
        w = float(p.rng.uniform(0.16, 0.22)) * min(p.w, p.h) * 1.2
        base = p.hy + float(p.rng.uniform(0.0, 0.03)) * p.h
        cx = p.X(float(fx) + float(p.rng.uniform(-0.04, 0.04)))
        hgt = w * 0.6
        wall = colors[k % len(colors)]
        d.rectangle((cx - w / 2, base - hgt, cx + w / 2, base), fill=(*wall, 255))
        d.polygon([(cx - w * 0.6, base - hgt), (cx, base - hgt - w * 0.45),
                   (cx + w * 0.6, base - hgt)], fill=(*roofs[k % len(roofs)], 255))
        d.rectangle((cx + w * 0.2, base - hgt - w * 0.4, cx + w * 0.3, base - hgt - w * 0.15),
                    fill=(*shade(roofs[k % len(roofs)], 0.7), 255))
        d.rectangle((cx - w * 0.08, base - hgt * 0.55, cx + w * 0.08, base),
                    fill=(110, 75, 50, 255))
        for wx in (-0.3, 0.3):
            lit = (255, 205, 110) if p.night else (120, 160, 200)
            d.rectangle((cx + wx * w - w * 0.08, base - hgt * 0.75, cx + wx * w + w * 0.08,
                         base - hgt * 0.45), fill=(*lit, 255), outline=(90, 70, 50, 255),
                        width=max(1, int(2 * u)))
        rows.append([cx + w * 0.25, base - hgt - w * 0.45, 10 * u, k * 0.3, 0.2])
    p.moving("smoke", rows, (215, 215, 220))


def _barn(p: Painter, x: float = 0.28) -> None:
    d = p.nd
    u = p.u
    w = 0.36 * min(p.w, p.h)
    cx, base = p.X(x), p.hy + 0.02 * p.h
    red, white = (170, 45, 40), (245, 240, 230)
    d.rectangle((cx - w / 2, base - w * 0.55, cx + w / 2, base), fill=(*red, 255))
    d.polygon([(cx - w * 0.58, base - w * 0.55), (cx - w * 0.3, base - w * 0.85),
               (cx + w * 0.3, base - w * 0.85), (cx + w * 0.58, base - w * 0.55)],
              fill=(*shade(red, 0.75), 255))
    dx0, dx1, dy0 = cx - w * 0.18, cx + w * 0.18, base - w * 0.38
    d.rectangle((dx0, dy0, dx1, base), fill=(*shade(red, 0.85), 255), outline=(*white, 255),
                width=max(2, int(5 * u)))
    d.line((dx0, dy0, dx1, base), fill=(*white, 255), width=max(2, int(5 * u)))
    d.line((dx1, dy0, dx0, base), fill=(*white, 255), width=max(2, int(5 * u)))
    d.rectangle((cx - w * 0.08, base - w * 0.72, cx + w * 0.08, base - w * 0.6),
                fill=(*white, 255))
    sx = cx + w * 0.62  # the silo
    d.rectangle((sx - w * 0.12, base - w * 0.95, sx + w * 0.12, base), fill=(185, 185, 190, 255))
    d.pieslice((sx - w * 0.12, base - w * 1.07, sx + w * 0.12, base - w * 0.83), 180, 360,
               fill=(150, 150, 160, 255))


def _fence(p: Painter, at: float = 0.76, color: Color = (235, 230, 220)) -> None:
    d = p.nd
    u = p.u
    y = p.Y(at)
    post = 40 * u
    for x in np.arange(0, p.cw, 70 * u):
        d.rectangle((x, y - post, x + 7 * u, y), fill=(*color, 255))
    for k in (0.3, 0.7):
        d.rectangle((0, y - post * k - 3 * u, p.cw, y - post * k + 3 * u), fill=(*color, 255))


def _crops(p: Painter, color: Color = (190, 170, 80), top: float = 0.0,
           stripes: bool = True) -> None:
    """Rows of a crop running to the horizon (converging furrows)."""
    d = p.nd
    y0 = p.hy + top * p.h
    vx = p.cw / 2
    for k, x in enumerate(np.arange(-p.cw, 2 * p.cw, 50 * p.u)):
        col = shade(color, 0.82 if k % 2 else 1.0)
        d.line((vx + (x - vx) * 0.08, y0, x, p.ch), fill=(*col, 255),
               width=max(2, int(12 * p.u)))
    if stripes:
        rows = [[float(x), y0 + 6 * p.u, 24 * p.u, k * 0.4, 0.9]
                for k, x in enumerate(np.arange(0, p.cw, 60 * p.u))]
        p.moving("sway", rows, shade(color, 1.15))


def _path(p: Painter, color: Color = (200, 185, 150)) -> None:
    vx = p.X(0.55)
    p.nd.polygon([(vx - 10 * p.u, p.hy), (vx + 10 * p.u, p.hy), (p.X(0.85), p.ch),
                  (p.X(0.25), p.ch)], fill=(*color, 255))


def _street(p: Painter, crosswalk: bool = True, shops: bool = True) -> None:
    """A road with sidewalks, a crosswalk, shop fronts and a traffic light (an avenue of
    towers without them)."""
    d = p.nd
    u = p.u
    curb = p.hy + 0.07 * p.h
    d.rectangle((0, p.hy, p.cw, curb), fill=(165, 160, 155, 255))  # far sidewalk
    d.rectangle((0, curb, p.cw, curb + 5 * u), fill=(120, 118, 115, 255))
    near_walk = p.Y(0.93)
    d.rectangle((0, near_walk, p.cw, p.ch), fill=(170, 165, 160, 255))
    lane = (curb + near_walk) / 2
    for x in np.arange(0, p.cw, 110 * u):
        d.rectangle((x, lane - 3 * u, x + 55 * u, lane + 3 * u), fill=(240, 220, 90, 255))
    # Cars passing in the far lane, both ways.
    cars = [[float(p.rng.uniform(0, 1)), curb + 0.035 * p.h * (1 + j % 2), 34 * u,
             (1 if j % 2 else -1) * float(p.rng.uniform(0.12, 0.2)), float(j)] for j in range(3)]
    p.moving("traffic", cars, (0, 0, 0), span=float(p.cw),
             colors=((200, 50, 45), (60, 110, 190), (240, 200, 60), (230, 230, 235)))
    cx = p.X(0.5)
    for k in range(-4, 5) if crosswalk else ():  # zebra stripes, wider toward the camera
        d.polygon([(cx + k * 26 * u - 8 * u, curb + 6 * u), (cx + k * 26 * u + 8 * u, curb + 6 * u),
                   (cx + k * 44 * u + 16 * u, near_walk), (cx + k * 44 * u - 16 * u, near_walk)],
                  fill=(235, 235, 230, 255))
    if shops:
        _shops(p)
    else:  # street lamps along the far sidewalk
        for fx in (0.2, 0.5, 0.8):
            x = p.X(fx)
            d.line((x, p.hy + 0.06 * p.h, x, p.hy - 0.12 * p.h), fill=(60, 65, 70, 255),
                   width=max(2, int(4 * u)))
            d.line((x, p.hy - 0.12 * p.h, x + 22 * u, p.hy - 0.12 * p.h), fill=(60, 65, 70, 255),
                   width=max(2, int(4 * u)))
            d.ellipse((x + 14 * u, p.hy - 0.12 * p.h, x + 30 * u, p.hy - 0.12 * p.h + 8 * u),
                      fill=(255, 235, 170, 255))


def _shops(p: Painter) -> None:
    d = p.fd
    u = p.u
    fronts = ((200, 90, 80), (80, 130, 170), (230, 190, 90), (110, 160, 110), (170, 110, 170))
    x = 0.0
    k = 0
    while x < p.cw:
        bw = float(p.rng.uniform(150, 230)) * u
        bh = float(p.rng.uniform(0.22, 0.34)) * p.h
        col = mix(shade((200, 180, 165), float(p.rng.uniform(0.8, 1.05))), p.haze, 0.1)
        d.rectangle((x, p.hy - bh, x + bw - 4 * u, p.hy), fill=col)
        for wy in np.arange(p.hy - bh + 14 * u, p.hy - 0.1 * p.h, 34 * u):
            for wx in np.arange(x + 14 * u, x + bw - 30 * u, 34 * u):
                d.rectangle((wx, wy, wx + 18 * u, wy + 20 * u),
                            fill=(255, 210, 120) if p.night else (130, 165, 195))
        awning = fronts[k % len(fronts)]
        ay = p.hy - 0.085 * p.h
        d.rectangle((x + 6 * u, ay, x + bw - 10 * u, p.hy), fill=(60, 70, 80) if not p.night
                    else (250, 220, 150))  # the shop window
        for sx in np.arange(x + 6 * u, x + bw - 10 * u, 22 * u):
            d.polygon([(sx, ay - 14 * u), (sx + 22 * u, ay - 14 * u), (sx + 22 * u, ay + 8 * u),
                       (sx, ay + 8 * u)], fill=awning if int((sx - x) / (22 * u)) % 2 == 0
                      else (245, 245, 240))
        x += bw
        k += 1


def _traffic_light(p: Painter, x: float = 0.86) -> None:
    d = p.nd
    u = p.u
    cx = p.X(x)
    base = p.hy + 0.075 * p.h
    top = base - 0.3 * p.h
    d.rectangle((cx - 4 * u, top, cx + 4 * u, base), fill=(50, 55, 60, 255))
    box = (cx - 16 * u, top - 78 * u, cx + 16 * u, top + 4 * u)
    d.rounded_rectangle(box, radius=int(6 * u), fill=(35, 38, 42, 255))
    rows = [[cx, top - 64 * u + k * 26 * u, 9 * u, float(k), 0.0] for k in range(3)]
    p.moving("signal", rows, (0, 0, 0), colors=((230, 50, 40), (240, 190, 40), (60, 210, 90)))


def _parapet(p: Painter) -> None:
    """A rooftop: the city spread below, a parapet wall, a water tank and antennas."""
    _skyline_on(p, p.fd, p.hy + 0.02 * p.h, 0.2, (85, 95, 125), FAR_PARALLAX)
    d = p.nd
    u = p.u
    wall_top = p.hy
    d.rectangle((0, wall_top, p.cw, wall_top + 0.05 * p.h), fill=(150, 140, 130, 255))
    d.rectangle((0, wall_top - 6 * u, p.cw, wall_top + 4 * u), fill=(185, 180, 170, 255))
    tx = p.X(0.12)
    tw = 0.15 * min(p.w, p.h)
    tb = wall_top + 0.02 * p.h
    for lx in (-0.4, 0.4):
        d.line((tx + lx * tw, tb - tw * 0.7, tx + lx * tw * 1.2, tb), fill=(70, 60, 55, 255),
               width=max(2, int(4 * u)))
    d.rectangle((tx - tw / 2, tb - tw * 1.5, tx + tw / 2, tb - tw * 0.7),
                fill=(140, 95, 65, 255))
    d.polygon([(tx - tw * 0.55, tb - tw * 1.5), (tx, tb - tw * 1.85),
               (tx + tw * 0.55, tb - tw * 1.5)],
              fill=(100, 70, 50, 255))
    for k in range(4):
        y = tb - tw * 1.5 + k * tw * 0.2
        d.line((tx - tw / 2, y, tx + tw / 2, y), fill=(90, 60, 45, 255), width=max(1, int(2 * u)))
    ax = p.X(0.88)
    d.line((ax, wall_top, ax, wall_top - 0.2 * p.h), fill=(80, 80, 85, 255),
           width=max(2, int(3 * u)))
    for k in range(3):
        y = wall_top - 0.2 * p.h + k * 14 * u
        d.line((ax - 18 * u + k * 4 * u, y, ax + 18 * u - k * 4 * u, y), fill=(80, 80, 85, 255),
               width=max(1, int(2 * u)))
    p.moving("twinkle", [[ax, wall_top - 0.2 * p.h, 5 * u, 0.0, 1.0]], (255, 60, 50))


def _cave(p: Painter) -> None:
    """Rock closing in at the sides and top, stalactites and stalagmites."""
    d = p.nd
    u = p.u
    rock = (108, 94, 86)
    for side in (0, 1):
        pts = []
        for k in range(12):
            y = p.ch * k / 11
            bulge = 0.12 + 0.1 * math.sin(k * 1.3 + side) + float(p.rng.uniform(0, 0.05))
            x = p.X(bulge - 0.06) if side == 0 else p.X(1.06 - bulge)
            pts.append((x, y))
        edge = 0 if side == 0 else p.cw
        d.polygon([(edge, 0), *pts, (edge, p.ch)], fill=(*rock, 255))
        for _ in range(14):  # boulders and cracks in the wall
            at = float(p.rng.uniform(0.1, 0.9))
            x0 = pts[int(at * 11)][0]
            x = x0 - float(p.rng.uniform(10, 70)) * u if side == 0 else x0 + float(
                p.rng.uniform(10, 70)) * u
            y = p.ch * at
            r = float(p.rng.uniform(14, 34)) * u
            d.ellipse((x - r, y - r * 0.7, x + r, y + r * 0.7),
                      fill=(*shade(rock, float(p.rng.uniform(0.75, 1.15))), 255))
        d.line(pts, fill=(*shade(rock, 1.45), 255), width=max(2, int(6 * u)))
    ceiling = [(0.0, 0.0)]
    for fx in np.linspace(-0.2, 1.2, 22):
        ceiling.append((p.X(float(fx)), p.Y(float(p.rng.uniform(0.04, 0.12)))))
    ceiling.append((float(p.cw), 0.0))
    d.polygon(ceiling, fill=(*shade(rock, 0.85), 255))
    for fx in np.linspace(0.08, 0.92, 9):  # stalactites
        x = p.X(float(fx) + float(p.rng.uniform(-0.03, 0.03)))
        ln = float(p.rng.uniform(0.06, 0.16)) * p.h
        wd = float(p.rng.uniform(10, 22)) * u
        top = p.Y(0.08)
        d.polygon([(x - wd, top - 10 * u), (x + wd, top - 10 * u), (x, top + ln)],
                  fill=(*shade(rock, 1.15), 255))
    for fx in (0.14, 0.3, 0.76, 0.9):  # stalagmites
        x = p.X(fx)
        ln = float(p.rng.uniform(0.05, 0.1)) * p.h
        base = p.hy + float(p.rng.uniform(0.0, 0.05)) * p.h
        d.polygon([(x - 16 * u, base), (x + 16 * u, base), (x, base - ln)],
                  fill=(*shade(rock, 1.2), 255))
    rows = [[p.X(float(fx)), p.Y(0.1), p.hy - p.Y(0.1), k * 0.9, 0.5]
            for k, fx in enumerate((0.2, 0.55, 0.8))]
    p.moving("drip", rows, (170, 200, 220))
    gems = [[p.X(float(fx)), p.Y(float(fy)), 4 * u, k * 1.7, 0.8]
            for k, (fx, fy) in enumerate(((0.06, 0.4), (0.94, 0.3), (0.1, 0.62), (0.9, 0.55)))]
    p.moving("twinkle", gems, (150, 220, 255))


def _jungle(p: Painter) -> None:
    """Dense leaves in three depths, trunks, and vines that sway."""
    u = p.u
    fd = p.fd
    for layer, (col, size, count) in enumerate((((70, 120, 80), 60, 40), ((45, 110, 55), 80, 30))):
        tone = mix(col, p.haze, 0.4 - 0.2 * layer)
        for _ in range(int(count * p.cw / 1000) + 10):
            x = float(p.rng.uniform(0, p.cw))
            y = float(p.rng.uniform(0, p.hy + 0.03 * p.h))
            r = float(p.rng.uniform(0.6, 1.2)) * size * u
            fd.ellipse((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=shade(tone, float(
                p.rng.uniform(0.85, 1.1))))
    for fx in (0.18, 0.45, 0.8):
        x = p.X(fx)
        fd.rectangle((x - 12 * u, 0, x + 12 * u, p.hy + 0.02 * p.h), fill=(85, 65, 45))
    nd = p.nd
    for side in (0, 1):  # big fronds at the frame's sides, in front
        for k in range(6):
            cx = p.X(-0.04 if side == 0 else 1.04) + float(p.rng.uniform(-30, 30)) * u
            cy = p.Y(0.15 + 0.14 * k)
            ln = float(p.rng.uniform(110, 170)) * u
            ang = (0.2 + 0.25 * k) * (1 if side == 0 else -1) + (0 if side == 0 else math.pi)
            ex, ey = cx + math.cos(ang) * ln, cy + math.sin(ang) * ln * 0.5
            nx, ny = -(ey - cy) * 0.25, (ex - cx) * 0.25
            nd.polygon([(cx, cy), ((cx + ex) / 2 + nx, (cy + ey) / 2 + ny), (ex, ey),
                        ((cx + ex) / 2 - nx, (cy + ey) / 2 - ny)],
                       fill=(*shade((40, 125, 60), 0.8 + 0.05 * k), 255))
    rows = [[p.X(float(fx)), 0.0, p.Y(float(p.rng.uniform(0.25, 0.5))), k * 1.3, 14 * u]
            for k, fx in enumerate(np.linspace(0.1, 0.9, 6))]
    p.moving("vine", rows, (60, 130, 60), colors=((90, 160, 70),))


def _craters(p: Painter, color: Color, rim: Color) -> None:
    d = p.nd
    u = p.u
    for _ in range(int(14 * p.cw / 1000) + 6):
        x = float(p.rng.uniform(0, p.cw))
        t = float(p.rng.uniform(0.05, 1.0))
        y = p.hy + (p.ch - p.hy) * t ** 1.3
        r = (20 + 70 * t) * u * float(p.rng.uniform(0.6, 1.2))
        d.ellipse((x - r, y - r * 0.3, x + r, y + r * 0.3), fill=(*shade(color, 0.78), 255))
        d.arc((x - r, y - r * 0.3, x + r, y + r * 0.3), 180, 360, fill=(*rim, 255),
              width=max(1, int(3 * u)))


def _rocks(p: Painter, color: Color = (150, 80, 55), count: int = 12) -> None:
    d = p.nd
    u = p.u
    for _ in range(count):
        x = float(p.rng.uniform(0, p.cw))
        t = float(p.rng.uniform(0.05, 1.0))
        y = p.hy + (p.ch - p.hy) * t ** 1.3
        r = (6 + 26 * t) * u
        d.ellipse((x - r, y - r * 0.7, x + r, y + r * 0.3), fill=(*shade(color, 0.85), 255))
        d.ellipse((x - r * 0.7, y - r * 0.65, x + r * 0.3, y - r * 0.1),
                  fill=(*shade(color, 1.1), 255))


def _dust(p: Painter, color: Color = (230, 170, 120)) -> None:
    rows = [[float(p.rng.uniform(0, p.cw)), float(p.rng.uniform(p.hy - 0.1 * p.h, p.ch)),
             3 * p.u, float(p.rng.uniform(0, 1)), 0.03 + 0.03 * float(p.rng.random())]
            for _ in range(30)]
    p.moving("drift", rows, color, span=float(p.cw))


def _seaweed(p: Painter) -> None:
    rows = [[p.X(float(fx)), p.hy + float(p.rng.uniform(0.02, 0.12)) * p.h,
             float(p.rng.uniform(0.12, 0.22)) * p.h, k * 0.8, 9 * p.u]
            for k, fx in enumerate(np.linspace(0.04, 0.96, 7))]
    p.moving("weed", rows, (40, 140, 90), colors=((70, 170, 100),))
    _rocks(p, (120, 110, 100), 6)


def _leaves(p: Painter, color: Color = (200, 140, 50)) -> None:
    """A few leaves drifting down from the trees."""
    rows = [[float(p.rng.uniform(0, p.cw)), p.Y(float(p.rng.uniform(0.2, 0.5))),
             5 * p.u, float(p.rng.uniform(0, 1)), float(p.rng.uniform(0.08, 0.16))]
            for _ in range(10)]
    p.moving("leaves", rows, color, span=p.hy + 0.2 * p.h,
             colors=(shade(color, 0.75), (120, 160, 60)))


def _birds(p: Painter, count: int = 4) -> None:
    """A few birds crossing the sky, flapping."""
    rows = [[float(p.rng.uniform(0, 1)), p.Y(float(p.rng.uniform(0.12, 0.3))),
             float(p.rng.uniform(7, 11)) * p.u, float(p.rng.uniform(0, 6)),
             float(p.rng.uniform(0.03, 0.06))] for _ in range(count)]
    p.moving("birds", rows, (45, 45, 55), FAR_PARALLAX, span=float(p.cw))


def _snowfall(p: Painter) -> None:
    """Light flakes drifting down over a snowfield."""
    rows = [[float(p.rng.uniform(0, p.cw)), p.Y(float(p.rng.uniform(-0.1, 0.3))),
             3.5 * p.u, float(p.rng.uniform(0, 1)), float(p.rng.uniform(0.06, 0.12))]
            for _ in range(24)]
    p.moving("leaves", rows, (250, 252, 255), span=float(p.ch), colors=((250, 252, 255),))


def _clock(p: Painter, x: float, y: float, size: float = 0.05,
           face: Color = (250, 250, 245)) -> None:
    """A wall or station clock whose second hand goes round."""
    r = size * min(p.w, p.h)
    cx, cy = p.X(x), p.Y(y)
    d = p.nd
    d.ellipse((cx - r - 3 * p.u, cy - r - 3 * p.u, cx + r + 3 * p.u, cy + r + 3 * p.u),
              fill=(50, 50, 55, 255))
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*face, 255))
    for k in range(12):
        a = math.pi * k / 6
        d.line((cx + 0.8 * r * math.sin(a), cy - 0.8 * r * math.cos(a), cx + 0.95 * r *
                math.sin(a), cy - 0.95 * r * math.cos(a)), fill=(40, 40, 45, 255),
               width=max(1, int(2 * p.u)))
    d.line((cx, cy, cx + 0.5 * r, cy - 0.2 * r), fill=(30, 30, 35, 255),
           width=max(1, int(4 * p.u)))
    p.moving("clock", [[cx, cy, r, float(p.rng.uniform(0, 6)), 0.0]], (200, 40, 40))


def _tubes(p: Painter, xs: tuple[float, ...] = (0.2, 0.5, 0.8), y: float = 0.02) -> None:
    """Fluorescent tubes on the ceiling, one of them flickering."""
    d = p.nd
    u = p.u
    for fx in xs:
        d.rectangle((p.X(fx) - 60 * u, p.Y(y), p.X(fx) + 60 * u, p.Y(y) + 8 * u),
                    fill=(250, 250, 240, 255))
    fx = xs[len(xs) // 2]
    p.moving("tube", [[p.X(fx) - 60 * u, p.Y(y), p.X(fx) + 60 * u, p.Y(y) + 8 * u, 0.0]],
             (250, 250, 240))


def _stage_lights(p: Painter, y: float = 0.085) -> None:
    """A row of coloured stage lamps that chase and blink."""
    d = p.nd
    u = p.u
    colors = ((255, 80, 80), (255, 200, 60), (80, 200, 255), (200, 90, 255))
    d.rectangle((p.X(0.08), p.Y(y) - 10 * u, p.X(0.92), p.Y(y) - 4 * u), fill=(40, 40, 45, 255))
    rows = []
    for k, fx in enumerate(np.linspace(0.14, 0.86, 7)):
        x = p.X(float(fx))
        d.rectangle((x - 9 * u, p.Y(y) - 6 * u, x + 9 * u, p.Y(y) + 10 * u),
                    fill=(30, 30, 35, 255))
        rows.append([x, p.Y(y) + 12 * u, 8 * u, k * 0.9, float(k % len(colors))])
    p.moving("chase", rows, (255, 255, 255), colors=colors)


def _grass_tufts(p: Painter, color: Color) -> None:
    rows = [[float(p.rng.uniform(0, p.cw)), float(p.rng.uniform(p.hy + 0.05 * p.h, p.ch)),
             16 * p.u, float(p.rng.uniform(0, 6)), 0.9] for _ in range(16)]
    p.moving("sway", rows, shade(color, 0.8))


# --- indoor layers --------------------------------------------------------------------------


def _window(p: Painter, x: float, y: float, w: float, h: float, frame: Color = (240, 238, 230),
            panes: tuple[int, int] = (2, 2), curtains: Color | None = None,
            blinds: bool = False) -> None:
    """A window cut through the wall (the near layer) onto the far layer's view."""
    d = p.nd
    u = p.u
    x0, y0, x1, y1 = p.X(x - w / 2), p.Y(y), p.X(x + w / 2), p.Y(y + h)
    t = max(3, int(8 * u))
    d.rectangle((x0 - t, y0 - t, x1 + t, y1 + t), fill=(*frame, 255))
    d.rectangle((x0, y0, x1, y1), fill=(0, 0, 0, 0))
    for k in range(1, panes[0]):
        xx = x0 + (x1 - x0) * k / panes[0]
        d.line((xx, y0, xx, y1), fill=(*frame, 255), width=max(2, int(5 * u)))
    for k in range(1, panes[1]):
        yy = y0 + (y1 - y0) * k / panes[1]
        d.line((x0, yy, x1, yy), fill=(*frame, 255), width=max(2, int(5 * u)))
    if blinds:
        for yy in np.arange(y0, y0 + (y1 - y0) * 0.35, 9 * u):
            d.line((x0, yy, x1, yy), fill=(*shade(frame, 0.9), 255), width=max(1, int(4 * u)))
    if curtains is not None:
        cw = (x1 - x0) * 0.22
        for side in (0, 1):
            cx0 = x0 - t - cw * 0.3 if side == 0 else x1 + t - cw * 0.7
            d.rectangle((cx0, y0 - 2 * t, cx0 + cw, y1 + 3 * t), fill=(*curtains, 255))
            for k in range(1, 4):
                xx = cx0 + cw * k / 4
                d.line((xx, y0 - 2 * t, xx, y1 + 3 * t), fill=(*shade(curtains, 0.8), 255),
                       width=max(1, int(3 * u)))
        d.rectangle((x0 - 2 * t, y0 - 3 * t, x1 + 2 * t, y0 - 2 * t), fill=(110, 90, 70, 255))


def _counter(p: Painter, top: float = 0.66, height: float = 0.12, x0: float = -0.3,
             x1: float = 1.3, front: Color = (120, 80, 55), surface: Color = (205, 195, 180),
             panels: bool = True) -> None:
    d = p.nd
    u = p.u
    y0, y1 = p.Y(top), p.Y(top + height)
    d.rectangle((p.X(x0), y0, p.X(x1), y1), fill=(*front, 255))
    if panels:
        for x in np.arange(p.X(x0), p.X(x1), 80 * u):
            d.rectangle((x + 8 * u, y0 + 14 * u, x + 72 * u, y1 - 8 * u),
                        outline=(*shade(front, 0.8), 255), width=max(1, int(3 * u)))
    d.rectangle((p.X(x0) - 6 * u, y0 - 10 * u, p.X(x1) + 6 * u, y0 + 4 * u),
                fill=(*surface, 255))
    d.rectangle((p.X(x0), y1, p.X(x1), y1 + 6 * u), fill=(*shade(front, 0.6), 255))


def _shelves(p: Painter, x0: float, x1: float, top: float, bottom: float, rows: int = 4,
             fill: str = "bottles", wood: Color = (110, 75, 50),
             colors: tuple[Color, ...] = ()) -> None:
    """Shelves along the wall filled with bottles, books, goods, jars or cups."""
    d = p.nd
    u = p.u
    X0, X1, Y0, Y1 = p.X(x0), p.X(x1), p.Y(top), p.Y(bottom)
    d.rectangle((X0 - 8 * u, Y0 - 8 * u, X1 + 8 * u, Y1), fill=(*shade(wood, 0.55), 255))
    palette = colors or {
        "bottles": ((60, 120, 70), (140, 60, 40), (200, 170, 90), (90, 60, 120), (220, 220, 200)),
        "books": ((170, 50, 50), (50, 80, 150), (60, 130, 80), (200, 160, 60), (120, 70, 130),
                  (80, 60, 50), (210, 200, 180)),
        "goods": ((230, 60, 50), (250, 200, 40), (60, 150, 220), (90, 190, 90), (250, 140, 40),
                  (240, 240, 240)),
        "jars": ((200, 150, 80), (230, 220, 190), (150, 90, 60), (180, 60, 50)),
        "cups": ((245, 245, 240), (220, 210, 195), (180, 140, 110)),
    }.get(fill, ((200, 200, 200),))
    step = (Y1 - Y0) / rows
    glints: list[list[float]] = []
    for r in range(rows):
        sy = Y0 + (r + 1) * step
        x = X0 + 4 * u
        while x < X1 - 10 * u:
            col = palette[int(p.rng.integers(len(palette)))]
            if fill == "bottles":
                bw, bh = 14 * u, step * float(p.rng.uniform(0.55, 0.8))
                if p.rng.random() < 0.12:  # light catching the glass
                    glints.append([x + 4 * u, sy - bh * 0.4, 3 * u, float(p.rng.uniform(0, 6)),
                                   float(p.rng.uniform(0.5, 2.5))])
                d.rectangle((x, sy - bh * 0.65, x + bw, sy), fill=(*col, 255))
                d.rectangle((x + bw * 0.35, sy - bh, x + bw * 0.65, sy - bh * 0.6),
                            fill=(*col, 255))
                d.line((x + 3 * u, sy - bh * 0.6, x + 3 * u, sy - 4 * u),
                       fill=(*shade(col, 1.5), 255), width=max(1, int(2 * u)))
                x += bw + 6 * u
            elif fill == "books":
                bw, bh = float(p.rng.uniform(8, 16)) * u, step * float(p.rng.uniform(0.6, 0.88))
                d.rectangle((x, sy - bh, x + bw, sy), fill=(*col, 255))
                d.line((x, sy - bh * 0.8, x + bw, sy - bh * 0.8), fill=(*shade(col, 1.4), 255),
                       width=max(1, int(u)))
                x += bw + 1.5 * u
            elif fill == "goods":
                bw, bh = float(p.rng.uniform(16, 26)) * u, step * float(p.rng.uniform(0.45, 0.75))
                d.rectangle((x, sy - bh, x + bw, sy), fill=(*col, 255))
                d.rectangle((x + 3 * u, sy - bh * 0.7, x + bw - 3 * u, sy - bh * 0.4),
                            fill=(*mix(col, (255, 255, 255), 0.6), 255))
                x += bw + 2 * u
            else:  # jars and cups
                bw, bh = 20 * u, step * 0.45
                d.rounded_rectangle((x, sy - bh, x + bw, sy), radius=int(5 * u), fill=(*col, 255))
                x += bw + 8 * u
        d.rectangle((X0 - 8 * u, sy, X1 + 8 * u, sy + 7 * u), fill=(*wood, 255))
    p.moving("twinkle", glints[:24], (255, 250, 230))


def _board(p: Painter, x: float, y: float, w: float, h: float, color: Color = (40, 60, 50),
           frame: Color = (150, 110, 70), ink: Color = (235, 235, 225), lines: int = 5,
           glow: bool = False) -> None:
    """A blackboard, a menu board, a whiteboard or a departure board: a framed panel with
    rows of writing (scribbles: text would be in no particular language)."""
    d = p.nd
    u = p.u
    x0, y0, x1, y1 = p.X(x - w / 2), p.Y(y), p.X(x + w / 2), p.Y(y + h)
    t = max(3, int(9 * u))
    d.rectangle((x0 - t, y0 - t, x1 + t, y1 + t), fill=(*frame, 255))
    d.rectangle((x0, y0, x1, y1), fill=(*color, 255))
    rows = []
    for k in range(lines):
        yy = y0 + (y1 - y0) * (k + 0.7) / (lines + 0.4)
        xx = x0 + 12 * u
        while xx < x1 - 30 * u:
            wlen = float(p.rng.uniform(20, 60)) * u
            wlen = min(wlen, x1 - 14 * u - xx)
            if glow:
                rows.append([xx, yy - 5 * u, xx + wlen, yy + 5 * u, float(p.rng.uniform(0, 9))])
            else:
                pts = [(xx + i * 4 * u, yy + 3 * u * math.sin(i * 1.7 + k))
                       for i in range(int(wlen / (4 * u)) + 1)]
                if len(pts) > 1:
                    d.line(pts, fill=(*ink, 255), width=max(1, int(2.5 * u)))
            xx += wlen + 12 * u
    if glow:
        p.moving("flicker", rows, ink)


def _lamps(p: Painter, xs: tuple[float, ...] = (0.25, 0.75), drop: float = 0.14,
           shade_color: Color = (40, 40, 45), glow: Color = (255, 225, 160)) -> None:
    d = p.nd
    u = p.u
    for fx in xs:
        x = p.X(fx)
        y = p.Y(drop)
        d.line((x, 0, x, y), fill=(30, 30, 30, 255), width=max(1, int(2 * u)))
        side = int(200 * u) + 2
        halo = Image.new("L", (side, side), 0)
        ImageDraw.Draw(halo).ellipse((side * 0.22, side * 0.22, side * 0.78, side * 0.78), fill=110)
        halo = halo.filter(ImageFilter.GaussianBlur(22 * u))
        glow_img = Image.new("RGBA", halo.size, (*glow, 0))
        glow_img.putalpha(halo)
        p.near.alpha_composite(glow_img, (int(x - halo.width / 2), int(y - halo.height / 3)))
        d.polygon([(x - 8 * u, y), (x + 8 * u, y), (x + 28 * u, y + 26 * u),
                   (x - 28 * u, y + 26 * u)], fill=(*shade_color, 255))
        d.ellipse((x - 10 * u, y + 20 * u, x + 10 * u, y + 32 * u), fill=(*glow, 255))
        p.moving("twinkle", [[x, y + 26 * u, 7 * u, fx * 9, 4.0]], glow)


def _neon(p: Painter, x: float = 0.5, y: float = 0.14, color: Color = (255, 70, 180),
          shape: str = "cocktail") -> None:
    u = p.u
    cx, cy = p.X(x), p.Y(y)
    s = 44 * u
    if shape == "cocktail":
        segs = [[cx - s, cy - s * 0.6, cx + s, cy - s * 0.6],
                [cx - s, cy - s * 0.6, cx, cy + s * 0.4],
                [cx + s, cy - s * 0.6, cx, cy + s * 0.4], [cx, cy + s * 0.4, cx, cy + s * 1.2],
                [cx - s * 0.5, cy + s * 1.2, cx + s * 0.5, cy + s * 1.2]]
    elif shape == "note":
        segs = [[cx - s * 0.4, cy - s * 0.8, cx - s * 0.4, cy + s * 0.6],
                [cx + s * 0.5, cy - s, cx + s * 0.5, cy + s * 0.4],
                [cx - s * 0.4, cy - s * 0.8, cx + s * 0.5, cy - s]]
    else:  # a coffee cup
        segs = [[cx - s * 0.7, cy - s * 0.4, cx + s * 0.5, cy - s * 0.4],
                [cx - s * 0.7, cy - s * 0.4, cx - s * 0.5, cy + s * 0.6],
                [cx + s * 0.5, cy - s * 0.4, cx + s * 0.3, cy + s * 0.6],
                [cx - s * 0.5, cy + s * 0.6, cx + s * 0.3, cy + s * 0.6],
                [cx + s * 0.5, cy - s * 0.2, cx + s * 0.8, cy + s * 0.1]]
    halo = Image.new("L", (p.cw, p.ch), 0)
    hd = ImageDraw.Draw(halo)
    for seg in segs:
        hd.line(seg, fill=160, width=max(3, int(16 * u)))
    box = (int(cx - 2 * s), int(cy - 2 * s), int(cx + 2 * s), int(cy + 2 * s))
    glow = halo.crop(box).filter(ImageFilter.GaussianBlur(10 * u))
    tint = Image.new("RGBA", glow.size, (*color, 0))
    tint.putalpha(glow)
    p.near.alpha_composite(tint, box[:2])
    rows = [[*seg, 0.0] for seg in segs]
    p.moving("neon", rows, mix(color, (255, 255, 255), 0.45))


def _stools(p: Painter, xs: tuple[float, ...], seat: float = 0.8,
            color: Color = (170, 50, 45)) -> None:
    d = p.nd
    u = p.u
    for fx in xs:
        x, y = p.X(fx), p.Y(seat)
        d.line((x, y, x, y + 0.1 * p.h), fill=(80, 80, 85, 255), width=max(2, int(6 * u)))
        d.line((x - 16 * u, y + 0.1 * p.h, x + 16 * u, y + 0.1 * p.h), fill=(80, 80, 85, 255),
               width=max(2, int(5 * u)))
        d.ellipse((x - 26 * u, y - 8 * u, x + 26 * u, y + 8 * u), fill=(*color, 255))


def _tables(p: Painter, xs: tuple[float, ...], top: float = 0.78, cloth: Color = (245, 240, 230),
            width: float = 0.2) -> None:
    d = p.nd
    u = p.u
    for fx in xs:
        x0, x1, y = p.X(fx - width / 2), p.X(fx + width / 2), p.Y(top)
        d.ellipse((x0, y - 14 * u, x1, y + 14 * u), fill=(*cloth, 255))
        d.polygon([(x0, y), (x1, y), (x1 + 6 * u, y + 0.07 * p.h), (x0 - 6 * u, y + 0.07 * p.h)],
                  fill=(*shade(cloth, 0.88), 255))


def _desks(p: Painter, rows: int = 2, color: Color = (180, 140, 95)) -> None:
    d = p.nd
    u = p.u
    for r in range(rows):
        y = p.Y(0.7 + 0.12 * r)
        scale = 0.8 + 0.25 * r
        for fx in np.linspace(0.12, 0.88, 3 + r):
            w = 0.17 * min(p.w, p.h) * scale
            x = p.X(float(fx))
            d.rectangle((x - w / 2, y - 7 * u * scale, x + w / 2, y), fill=(*color, 255))
            d.rectangle((x - w / 2, y, x + w / 2, y + 0.025 * p.h * scale),
                        fill=(*shade(color, 0.75), 255))
            for lx in (-0.42, 0.42):
                d.line((x + lx * w, y, x + lx * w, y + 0.07 * p.h * scale),
                       fill=(70, 70, 75, 255), width=max(1, int(4 * u)))


def _monitors(p: Painter, xs: tuple[float, ...], top: float = 0.6, size: float = 0.1,
              screen: Color = (90, 170, 230)) -> None:
    d = p.nd
    u = p.u
    rows = []
    for fx in xs:
        w = size * min(p.w, p.h)
        x, y = p.X(fx), p.Y(top)
        d.rectangle((x - w / 2 - 5 * u, y - w * 0.65 - 5 * u, x + w / 2 + 5 * u, y + 5 * u),
                    fill=(35, 35, 40, 255))
        d.rectangle((x - 4 * u, y + 5 * u, x + 4 * u, y + 18 * u), fill=(60, 60, 65, 255))
        d.rectangle((x - 18 * u, y + 18 * u, x + 18 * u, y + 22 * u), fill=(60, 60, 65, 255))
        rows.append([x - w / 2, y - w * 0.65, x + w / 2, y, fx * 7])
    p.moving("screen", rows, screen)


def _bed(p: Painter, x: float = 0.5, color: Color = (90, 120, 190)) -> None:
    d = p.nd
    u = p.u
    w = 0.62 * min(p.w, p.h)
    cx, y = p.X(x), p.Y(0.7)
    d.rectangle((cx - w / 2, y - 0.15 * p.h, cx - w / 2 + 18 * u, y + 0.08 * p.h),
                fill=(120, 80, 55, 255))  # headboard
    d.rounded_rectangle((cx - w / 2, y - 0.02 * p.h, cx + w / 2, y + 0.08 * p.h),
                        radius=int(12 * u), fill=(*color, 255))
    d.rounded_rectangle((cx - w / 2 + 22 * u, y - 0.05 * p.h, cx - w / 2 + w * 0.3, y),
                        radius=int(14 * u), fill=(245, 245, 240, 255))
    d.rectangle((cx - w / 2 + w * 0.4, y - 0.02 * p.h, cx + w / 2, y + 0.08 * p.h),
                fill=(*shade(color, 1.15), 255))


def _sofa(p: Painter, x: float = 0.5, color: Color = (170, 80, 70)) -> None:
    d = p.nd
    u = p.u
    w = 0.6 * min(p.w, p.h)
    cx, y = p.X(x), p.Y(0.72)
    d.rounded_rectangle((cx - w / 2, y - 0.1 * p.h, cx + w / 2, y), radius=int(16 * u),
                        fill=(*shade(color, 0.85), 255))
    d.rounded_rectangle((cx - w / 2 - 16 * u, y - 0.06 * p.h, cx - w / 2 + 22 * u, y + 0.05 * p.h),
                        radius=int(12 * u), fill=(*color, 255))
    d.rounded_rectangle((cx + w / 2 - 22 * u, y - 0.06 * p.h, cx + w / 2 + 16 * u, y + 0.05 * p.h),
                        radius=int(12 * u), fill=(*color, 255))
    d.rounded_rectangle((cx - w / 2 + 10 * u, y - 0.03 * p.h, cx + w / 2 - 10 * u, y + 0.05 * p.h),
                        radius=int(10 * u), fill=(*shade(color, 1.1), 255))


def _rug(p: Painter, color: Color = (170, 60, 60)) -> None:
    d = p.nd
    y0, y1 = p.Y(0.8), p.Y(0.95)
    d.polygon([(p.X(0.2), y0), (p.X(0.8), y0), (p.X(0.92), y1), (p.X(0.08), y1)],
              fill=(*color, 255))
    d.polygon([(p.X(0.26), y0 + 10 * p.u), (p.X(0.74), y0 + 10 * p.u),
               (p.X(0.84), y1 - 10 * p.u), (p.X(0.16), y1 - 10 * p.u)],
              outline=(235, 200, 120, 255), width=max(1, int(4 * p.u)))


def _cabinets(p: Painter, top: float = 0.12, bottom: float = 0.34,
              color: Color = (235, 235, 230)) -> None:
    d = p.nd
    u = p.u
    for x in np.arange(p.X(-0.3), p.X(1.3), 110 * u):
        d.rectangle((x + 3 * u, p.Y(top), x + 107 * u, p.Y(bottom)), fill=(*color, 255),
                    outline=(*shade(color, 0.75), 255), width=max(1, int(3 * u)))
        d.rectangle((x + 85 * u, p.Y(bottom) - 40 * u, x + 92 * u, p.Y(bottom) - 12 * u),
                    fill=(120, 120, 125, 255))


def _tiles(p: Painter, top: float, bottom: float, color: Color = (240, 240, 235)) -> None:
    """Tiled splashback (kitchen, lab)."""
    d = p.nd
    u = p.u
    step = 28 * u
    for y in np.arange(p.Y(top), p.Y(bottom), step):
        d.line((0, y, p.cw, y), fill=(*shade(color, 0.85), 255), width=max(1, int(u)))
    for x in np.arange(0, p.cw, step):
        d.line((x, p.Y(top), x, p.Y(bottom)), fill=(*shade(color, 0.85), 255),
               width=max(1, int(u)))


def _stove(p: Painter, x: float = 0.7, top: float = 0.58) -> None:
    d = p.nd
    u = p.u
    w = 0.2 * min(p.w, p.h)
    cx, y = p.X(x), p.Y(top)
    d.rectangle((cx - w / 2, y, cx + w / 2, y + 0.14 * p.h), fill=(200, 200, 205, 255))
    d.rectangle((cx - w * 0.4, y + 0.03 * p.h, cx + w * 0.4, y + 0.11 * p.h),
                fill=(40, 40, 45, 255))
    hood = p.Y(0.12)
    d.polygon([(cx - w * 0.15, hood), (cx + w * 0.15, hood), (cx + w * 0.55, hood + 0.1 * p.h),
               (cx - w * 0.55, hood + 0.1 * p.h)], fill=(170, 170, 175, 255))
    rows = [[cx + k * 12 * u, y - 6 * u, 8 * u, k * 0.3, 0.35] for k in (-2, 0, 2)]
    p.moving("smoke", rows, (235, 235, 235))


def _fridge(p: Painter, x: float = 0.12) -> None:
    d = p.nd
    u = p.u
    w = 0.17 * min(p.w, p.h)
    cx = p.X(x)
    d.rounded_rectangle((cx - w / 2, p.Y(0.3), cx + w / 2, p.Y(0.72)), radius=int(10 * u),
                        fill=(225, 230, 235, 255), outline=(170, 175, 180, 255),
                        width=max(1, int(3 * u)))
    d.line((cx - w / 2, p.Y(0.45), cx + w / 2, p.Y(0.45)), fill=(170, 175, 180, 255),
           width=max(1, int(3 * u)))
    d.rectangle((cx + w * 0.3, p.Y(0.36), cx + w * 0.36, p.Y(0.42)), fill=(130, 130, 135, 255))
    d.rectangle((cx + w * 0.3, p.Y(0.48), cx + w * 0.36, p.Y(0.58)), fill=(130, 130, 135, 255))


def _espresso(p: Painter, x: float = 0.72, top: float = 0.62) -> None:
    d = p.nd
    u = p.u
    w = 0.22 * min(p.w, p.h)
    cx, base = p.X(x), p.Y(top) - 10 * u
    d.rounded_rectangle((cx - w / 2, base - w * 0.8, cx + w / 2, base), radius=int(8 * u),
                        fill=(190, 195, 200, 255))
    d.rectangle((cx - w / 2, base - w * 0.8, cx + w / 2, base - w * 0.62), fill=(150, 40, 40, 255))
    for gx in (-0.22, 0.22):
        d.rectangle((cx + gx * w - 10 * u, base - w * 0.45, cx + gx * w + 10 * u, base - w * 0.36),
                    fill=(50, 50, 55, 255))
        d.rectangle((cx + gx * w - 8 * u, base - w * 0.2, cx + gx * w + 8 * u, base - 2 * u),
                    fill=(245, 245, 240, 255))
    d.ellipse((cx - 8 * u, base - w * 0.6, cx + 8 * u, base - w * 0.5), fill=(60, 60, 65, 255))
    rows = [[cx + gx * w, base - w * 0.22, 6 * u, k * 0.5, 0.3]
            for k, gx in enumerate((-0.22, 0.22))]
    p.moving("smoke", rows, (245, 245, 245))


def _tiers(p: Painter, top: float = 0.12, bottom: float = 0.5, rows: int = 6,
           color: Color = (150, 40, 50), crowd: bool = True) -> None:
    """Tiered seats rising away from the camera, with a crowd that bobs."""
    d = p.nd
    u = p.u
    y0, y1 = p.Y(top), p.Y(bottom)
    step = (y1 - y0) / rows
    heads = []
    skins = ((240, 200, 170), (200, 150, 110), (150, 100, 70), (110, 75, 50), (250, 220, 190))
    shirts = ((200, 60, 60), (60, 90, 180), (240, 200, 60), (70, 160, 90), (230, 230, 235),
              (40, 40, 45), (220, 120, 40))
    for r in range(rows):
        ry = y0 + r * step
        d.rectangle((0, ry, p.cw, ry + step), fill=(*shade(color, 0.6 + 0.07 * r), 255))
        d.line((0, ry + step, p.cw, ry + step), fill=(*shade(color, 0.4), 255),
               width=max(1, int(3 * u)))
        if not crowd:
            continue
        hr = step * 0.22
        x = float(p.rng.uniform(0, hr * 2))
        while x < p.cw:  # one row of the crowd
            shirt = shirts[int(p.rng.integers(len(shirts)))]
            d.rounded_rectangle((x - hr * 1.2, ry + step * 0.48, x + hr * 1.2, ry + step),
                                radius=int(hr * 0.6), fill=(*shirt, 255))
            heads.append([x, ry + step * 0.32, hr, float(p.rng.uniform(0, 6)),
                          float(p.rng.integers(len(skins)))])
            x += hr * float(p.rng.uniform(2.5, 3.4))
    # Too many heads cost time every frame: the far rows stay still.
    keep = heads[-160:] if len(heads) > 160 else heads
    for hx, hy, radius, _ph, c in heads[: len(heads) - len(keep)]:
        d.ellipse((hx - radius, hy - radius, hx + radius, hy + radius),
                  fill=(*skins[int(c)], 255))
    p.moving("crowd", keep, (0, 0, 0), colors=skins)


def _pitch(p: Painter) -> None:
    d = p.nd
    u = p.u
    y0 = p.hy
    for k in range(8):  # mown stripes
        ya, yb = y0 + (p.ch - y0) * (k / 8) ** 1.3, y0 + (p.ch - y0) * ((k + 1) / 8) ** 1.3
        d.rectangle((0, ya, p.cw, yb), fill=(*((70, 150, 70) if k % 2 else (85, 165, 80)), 255))
    white = (240, 245, 240, 255)
    lw = max(2, int(4 * u))
    d.line((0, y0 + 0.04 * p.h, p.cw, y0 + 0.04 * p.h), fill=white, width=lw)
    cx = p.X(0.5)
    d.line((cx - 0.02 * p.w, y0 + 0.04 * p.h, cx - 0.2 * p.w, p.ch), fill=white, width=lw)
    d.ellipse((cx - 0.3 * p.w, y0 + 0.1 * p.h, cx + 0.3 * p.w, y0 + 0.22 * p.h), outline=white,
              width=lw)


def _floodlights(p: Painter, xs: tuple[float, ...] = (0.08, 0.92)) -> None:
    d = p.nd
    u = p.u
    rows = []
    for fx in xs:
        x = p.X(fx)
        d.line((x, p.Y(0.1), x, p.Y(0.3)), fill=(70, 70, 75, 255), width=max(2, int(6 * u)))
        for r in range(2):
            for c in range(3):
                lx, ly = x - 24 * u + c * 24 * u, p.Y(0.06) + r * 20 * u
                d.rectangle((lx - 9 * u, ly - 8 * u, lx + 9 * u, ly + 8 * u),
                            fill=(60, 60, 60, 255))
                rows.append([lx, ly, 8 * u, (r + c) * 0.5, 0.3])
    p.moving("twinkle", rows, (255, 255, 225))


def _pipes(p: Painter, x: float = 0.5, width: float = 0.5, top: float = 0.04,
           bottom: float = 0.3) -> None:
    d = p.nd
    u = p.u
    n = 15
    for k in range(n):
        fx = x - width / 2 + width * k / (n - 1)
        tall = 1.0 - 0.6 * abs(k - (n - 1) / 2) / ((n - 1) / 2)
        y0 = p.Y(bottom - (bottom - top) * tall)
        xx = p.X(fx)
        pw = 0.6 * width * p.w / n
        d.rectangle((xx - pw / 2, y0, xx + pw / 2, p.Y(bottom)), fill=(215, 185, 110, 255))
        d.rectangle((xx - pw / 2, y0, xx - pw / 6, p.Y(bottom)), fill=(240, 220, 160, 255))
        d.polygon([(xx - pw / 2, p.Y(bottom) - 20 * u), (xx + pw / 2, p.Y(bottom) - 20 * u),
                   (xx, p.Y(bottom) - 6 * u)], fill=(90, 70, 40, 255))
    d.rectangle((p.X(x - width / 2) - 20 * u, p.Y(bottom), p.X(x + width / 2) + 20 * u,
                 p.Y(bottom) + 16 * u), fill=(110, 70, 45, 255))


def _curtains(p: Painter, color: Color = (150, 20, 35)) -> None:
    d = p.nd
    u = p.u
    for side in (0, 1):
        x0 = 0 if side == 0 else p.X(0.9)
        x1 = p.X(0.1) if side == 0 else p.cw
        d.rectangle((x0, 0, x1, p.ch), fill=(*color, 255))
        for xx in np.arange(x0, x1, 22 * u):
            d.line((xx, 0, xx, p.ch), fill=(*shade(color, 0.7), 255), width=max(1, int(5 * u)))
    d.rectangle((0, 0, p.cw, p.Y(0.07)), fill=(*color, 255))
    for xx in np.arange(0, p.cw, 60 * u):
        d.chord((xx, p.Y(0.07) - 24 * u, xx + 60 * u, p.Y(0.07) + 24 * u), 0, 180,
                fill=(*shade(color, 0.85), 255))


def _spot(p: Painter, x: float = 0.5, color: Color = (255, 245, 200)) -> None:
    cone = Image.new("L", (p.cw, p.ch), 0)
    cx = p.X(x)
    ImageDraw.Draw(cone).polygon([(cx - 20 * p.u, 0), (cx + 20 * p.u, 0),
                                  (cx + 0.32 * p.w, p.Y(0.95)), (cx - 0.32 * p.w, p.Y(0.95))],
                                 fill=55)
    cone = cone.filter(ImageFilter.GaussianBlur(12 * p.u))
    tint = Image.new("RGBA", cone.size, (*color, 0))
    tint.putalpha(cone)
    p.near.alpha_composite(tint)


def _stage_front(p: Painter, top: float = 0.62, color: Color = (90, 60, 40)) -> None:
    d = p.nd
    d.rectangle((0, p.Y(top), p.cw, p.Y(top) + 0.03 * p.h), fill=(*shade(color, 0.6), 255))
    for x in np.arange(0, p.cw, 60 * p.u):
        d.line((x, p.Y(top), x, p.Y(top) + 0.03 * p.h), fill=(*shade(color, 0.45), 255),
               width=max(1, int(2 * p.u)))


def _racks(p: Painter, xs: tuple[float, ...] = (0.2, 0.8)) -> None:
    """Gym: dumbbell racks, weight plates and a squat rack."""
    d = p.nd
    u = p.u
    for fx in xs:
        x, y = p.X(fx), p.Y(0.64)
        w = 0.26 * min(p.w, p.h)
        for r in range(2):
            yy = y - r * 0.05 * p.h
            d.rectangle((x - w / 2, yy, x + w / 2, yy + 6 * u), fill=(60, 60, 65, 255))
            for k in range(4):
                bx = x - w / 2 + (k + 0.5) * w / 4
                d.line((bx - 12 * u, yy - 8 * u, bx + 12 * u, yy - 8 * u),
                       fill=(150, 150, 155, 255),
                       width=max(1, int(4 * u)))
                for s in (-1, 1):
                    d.rounded_rectangle((bx + s * 12 * u - 6 * u, yy - 16 * u,
                                         bx + s * 12 * u + 6 * u,
                                         yy), radius=int(3 * u), fill=(35, 35, 38, 255))
        d.line((x - w / 2, y + 6 * u, x - w / 2, y + 0.08 * p.h), fill=(60, 60, 65, 255),
               width=max(2, int(5 * u)))
        d.line((x + w / 2, y + 6 * u, x + w / 2, y + 0.08 * p.h), fill=(60, 60, 65, 255),
               width=max(2, int(5 * u)))
    cx = p.X(0.5)
    rack_w = 0.3 * min(p.w, p.h)
    for s in (-1, 1):
        d.rectangle((cx + s * rack_w / 2 - 5 * u, p.Y(0.3), cx + s * rack_w / 2 + 5 * u, p.Y(0.66)),
                    fill=(40, 40, 45, 255))
    d.line((cx - rack_w * 0.7, p.Y(0.42), cx + rack_w * 0.7, p.Y(0.42)), fill=(170, 170, 175, 255),
           width=max(2, int(5 * u)))
    for s in (-1, 1):
        d.ellipse((cx + s * rack_w * 0.62 - 8 * u, p.Y(0.42) - 34 * u,
                   cx + s * rack_w * 0.62 + 8 * u,
                   p.Y(0.42) + 34 * u), fill=(30, 30, 32, 255))


def _mirror(p: Painter, top: float = 0.2, bottom: float = 0.6) -> None:
    d = p.nd
    d.rectangle((p.X(-0.2), p.Y(top), p.X(1.2), p.Y(bottom)), fill=(190, 205, 215, 255))
    for fx in np.linspace(-0.1, 1.1, 8):
        x = p.X(float(fx))
        d.line((x, p.Y(top), x + 40 * p.u, p.Y(top) + 60 * p.u), fill=(225, 235, 242, 255),
               width=max(1, int(6 * p.u)))


def _aisles(p: Painter) -> None:
    """Supermarket aisles receding: shelves of goods on both sides of a lane."""
    _shelves(p, -0.25, 0.3, 0.14, 0.6, rows=4, fill="goods", wood=(200, 200, 205))
    _shelves(p, 0.7, 1.25, 0.14, 0.6, rows=4, fill="goods", wood=(200, 200, 205))
    _shelves(p, 0.38, 0.62, 0.3, 0.6, rows=3, fill="goods", wood=(200, 200, 205))
    d = p.nd
    u = p.u
    for k, (fx, col) in enumerate(((0.05, (230, 60, 50)), (0.5, (40, 130, 200)),
                                   (0.95, (250, 190, 40)))):
        x = p.X(fx)
        d.line((x, 0, x, p.Y(0.06)), fill=(90, 90, 95, 255), width=max(1, int(2 * u)))
        d.rectangle((x - 38 * u, p.Y(0.06), x + 38 * u, p.Y(0.06) + 32 * u), fill=(*col, 255))
        d.text((x - 6 * u, p.Y(0.06) + 6 * u), str(k + 1), fill=(255, 255, 255, 255))
    for fx in (0.2, 0.5, 0.8):  # ceiling lights
        d.rectangle((p.X(fx) - 60 * u, p.Y(0.01), p.X(fx) + 60 * u, p.Y(0.01) + 8 * u),
                    fill=(250, 250, 240, 255))


def _tracks(p: Painter) -> None:
    """A train platform: the platform, its yellow edge, rails, a train and a canopy."""
    d = p.nd
    u = p.u
    edge = p.Y(0.74)
    rail_top = p.Y(0.66)
    d.rectangle((0, p.hy, p.cw, edge), fill=(85, 75, 70, 255))  # the track bed
    for x in np.arange(0, p.cw, 36 * u):
        d.rectangle((x, rail_top - 2 * u, x + 18 * u, edge - 4 * u), fill=(110, 85, 60, 255))
    for ry in (rail_top + 6 * u, edge - 14 * u):
        d.line((0, ry, p.cw, ry), fill=(190, 190, 195, 255), width=max(2, int(5 * u)))
    # The train waiting at the far side.
    ty0, ty1 = p.Y(0.36), rail_top + 2 * u
    d.rounded_rectangle((p.X(-0.3), ty0, p.X(0.62), ty1), radius=int(30 * u),
                        fill=(225, 228, 232, 255))
    d.rectangle((p.X(-0.3), ty0 + (ty1 - ty0) * 0.62, p.X(0.62), ty0 + (ty1 - ty0) * 0.72),
                fill=(200, 40, 45, 255))
    for x in np.arange(p.X(-0.28), p.X(0.56), 70 * u):
        d.rounded_rectangle((x, ty0 + (ty1 - ty0) * 0.15, x + 50 * u, ty0 + (ty1 - ty0) * 0.5),
                            radius=int(6 * u), fill=(60, 80, 110, 255))
    d.rectangle((0, edge, p.cw, p.ch), fill=(175, 172, 165, 255))  # the platform
    d.rectangle((0, edge, p.cw, edge + 14 * u), fill=(245, 205, 40, 255))
    for x in np.arange(0, p.cw, 24 * u):
        d.ellipse((x, edge + 4 * u, x + 6 * u, edge + 10 * u), fill=(200, 160, 30, 255))
    for fx in (0.06, 0.94):  # canopy columns
        d.rectangle((p.X(fx) - 8 * u, 0, p.X(fx) + 8 * u, edge + 0.06 * p.h),
                    fill=(70, 80, 95, 255))
    d.rectangle((0, 0, p.cw, p.Y(0.05)), fill=(70, 80, 95, 255))
    # The station sign on its bracket, a clock beside it.
    sx, sy = p.X(0.78), p.Y(0.14)
    d.line((sx, p.Y(0.05), sx, sy), fill=(70, 80, 95, 255), width=max(1, int(3 * u)))
    d.rectangle((sx - 70 * u, sy, sx + 70 * u, sy + 34 * u), fill=(30, 70, 140, 255),
                outline=(240, 240, 240, 255), width=max(1, int(3 * u)))
    d.line((sx - 50 * u, sy + 17 * u, sx + 50 * u, sy + 17 * u), fill=(240, 240, 240, 255),
           width=max(2, int(5 * u)))


def _terminal(p: Painter) -> None:
    """An airport terminal: tall glass onto the apron, a departure board, seats."""
    d = p.nd
    u = p.u
    top, bottom = p.Y(0.14), p.hy
    d.rectangle((0, top, p.cw, bottom), fill=(0, 0, 0, 0))
    for x in np.arange(0, p.cw, 110 * u):
        d.line((x, top, x, bottom), fill=(150, 160, 170, 255), width=max(2, int(6 * u)))
    d.line((0, (top + bottom) / 2, p.cw, (top + bottom) / 2), fill=(150, 160, 170, 255),
           width=max(2, int(4 * u)))
    d.rectangle((0, bottom - 6 * u, p.cw, bottom + 4 * u), fill=(120, 130, 140, 255))
    _board(p, 0.5, 0.02, 0.5, 0.1, color=(25, 25, 30), frame=(60, 60, 65), ink=(250, 200, 60),
           lines=4, glow=True)
    for fx in (0.16, 0.84):  # a row of seats
        x = p.X(fx)
        for k in range(3):
            sx = x + (k - 1) * 34 * u
            d.rounded_rectangle((sx - 14 * u, p.Y(0.76), sx + 14 * u, p.Y(0.8)), radius=int(5 * u),
                                fill=(40, 90, 160, 255))
            d.rounded_rectangle((sx - 14 * u, p.Y(0.8), sx + 14 * u, p.Y(0.81)), radius=int(3 * u),
                                fill=(30, 70, 130, 255))
        d.line((x - 50 * u, p.Y(0.83), x + 50 * u, p.Y(0.83)), fill=(90, 90, 95, 255),
               width=max(1, int(4 * u)))


def _panels(p: Painter) -> None:
    """A space station module: ribbed panels, a porthole onto the stars, screens."""
    d = p.nd
    u = p.u
    d.rectangle((0, 0, p.cw, p.ch), fill=(200, 205, 212, 255))
    for x in np.arange(0, p.cw, 120 * u):
        d.rectangle((x + 6 * u, p.Y(0.04), x + 114 * u, p.hy - 10 * u),
                    outline=(160, 165, 175, 255),
                    width=max(1, int(3 * u)))
        for yy in (p.Y(0.06), p.hy - 22 * u):
            for xx in (x + 14 * u, x + 106 * u):
                d.ellipse((xx - 3 * u, yy - 3 * u, xx + 3 * u, yy + 3 * u),
                          fill=(140, 145, 155, 255))
    d.rectangle((0, p.hy, p.cw, p.ch), fill=(120, 125, 135, 255))
    for x in np.arange(0, p.cw, 24 * u):
        d.line((x, p.hy, x, p.ch), fill=(100, 105, 115, 255), width=max(1, int(2 * u)))
    for fx in (0.3, 0.72):
        cx, cy, r = p.X(fx), p.Y(0.3), 0.13 * min(p.w, p.h)
        d.ellipse((cx - r - 12 * u, cy - r - 12 * u, cx + r + 12 * u, cy + r + 12 * u),
                  fill=(90, 95, 105, 255))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(0, 0, 0, 0))
    d.line((0, p.Y(0.5), p.cw, p.Y(0.5)), fill=(230, 180, 40, 255), width=max(2, int(8 * u)))
    _monitors(p, (0.08, 0.51, 0.92), top=0.46, size=0.09, screen=(60, 220, 160))
    p.moving("twinkle", [[p.X(float(fx)), p.Y(0.56), 4 * u, k * 0.9, 2.0]
                         for k, fx in enumerate((0.15, 0.2, 0.25, 0.78, 0.83))], (255, 80, 60))


def _garage(p: Painter) -> None:
    d = p.nd
    u = p.u
    d.rectangle((p.X(0.2), p.Y(0.12), p.X(0.8), p.hy), fill=(175, 180, 185, 255))  # roll door
    for y in np.arange(p.Y(0.12), p.hy, 22 * u):
        d.line((p.X(0.2), y, p.X(0.8), y), fill=(140, 145, 150, 255), width=max(1, int(3 * u)))
    d.rectangle((p.X(-0.3), p.Y(0.2), p.X(0.16), p.Y(0.45)), fill=(190, 160, 120, 255))  # pegboard
    for x in np.arange(p.X(-0.3), p.X(0.16), 16 * u):
        for y in np.arange(p.Y(0.2), p.Y(0.45), 16 * u):
            d.point((x + 8 * u, y + 8 * u), fill=(120, 95, 70, 255))
    _shelves(p, 0.84, 1.3, 0.18, 0.55, rows=3, fill="jars", wood=(90, 90, 95),
             colors=((200, 60, 50), (60, 90, 160), (220, 190, 60), (90, 90, 90)))
    d.ellipse((p.X(0.3), p.Y(0.82), p.X(0.55), p.Y(0.86)), fill=(60, 60, 65, 255))  # oil stain


BUILDERS: dict[str, Callable[..., None]] = {
    "ridges": _ridges, "treeline": _treeline, "skyline": _skyline, "sea": _sea,
    "shore": _shore, "river": _river, "lake": _lake, "waterfall": _waterfall,
    "castle": _castle, "cottages": _cottages, "barn": _barn, "fence": _fence,
    "crops": _crops, "path": _path, "street": _street, "traffic_light": _traffic_light,
    "parapet": _parapet, "cave": _cave, "jungle": _jungle, "craters": _craters,
    "rocks": _rocks, "dust": _dust, "seaweed": _seaweed, "tufts": _grass_tufts,
    "leaves": _leaves, "birds": _birds, "jetty": _jetty, "bridge": _bridge,
    "snowfall": _snowfall, "clock": _clock, "tubes": _tubes, "stage_lights": _stage_lights,
    "window": _window, "counter": _counter, "shelves": _shelves, "board": _board,
    "lamps": _lamps, "neon": _neon, "stools": _stools, "tables": _tables, "desks": _desks,
    "monitors": _monitors, "bed": _bed, "sofa": _sofa, "rug": _rug, "cabinets": _cabinets,
    "tiles": _tiles, "stove": _stove, "fridge": _fridge, "espresso": _espresso,
    "tiers": _tiers, "pitch": _pitch, "floodlights": _floodlights, "pipes": _pipes,
    "curtains": _curtains, "spot": _spot, "stage_front": _stage_front, "racks": _racks,
    "mirror": _mirror, "aisles": _aisles, "tracks": _tracks, "terminal": _terminal,
    "panels": _panels, "garage": _garage,
}


# --- the places -----------------------------------------------------------------------------

_P = Prop
_GREEN = (95, 170, 80)

PLACES: dict[str, Place] = {
    # --- outdoors
    "beach": Place("outdoor", 0.55, (232, 205, 150), floor="sand", floor_top=0.73,
                   layers=(("sea", {"to": 0.72}), ("shore", {"at": 0.71}), ("birds", {})),
                   props=(_P("🌴", 0.1, 0.5, 0.35), _P("⛱️", 0.86, 0.26, 0.3),
                          _P("🐚", 0.7, 0.06, 0.05))),
    "ocean": Place("outdoor", 0.5, (30, 100, 160), floor="none", grounded=False,
                   layers=(("sea", {}),),
                   props=(_P("⛵", 0.2, 0.12, 0.5, "far"), _P("🚢", 0.85, 0.08, 0.49, "far"))),
    "city": Place("outdoor", 0.6, (75, 75, 82), floor="asphalt",
                  layers=(("skyline", {"height": 0.5}),
                          ("street", {"crosswalk": False, "shops": False}),
                          ("traffic_light", {"x": 0.88})),
                  props=(_P("🌳", 0.1, 0.26, 0.7),)),
    "street": Place("outdoor", 0.56, (80, 80, 86), floor="asphalt",
                    layers=(("skyline", {"height": 0.45, "lift": 0.2}), ("street", {}),
                            ("traffic_light", {"x": 0.9})),
                    props=(_P("🚲", 0.12, 0.12, 0.64, "base"), _P("🚏", 0.74, 0.2, 0.63, "base"))),
    "rooftop": Place("outdoor", 0.62, (120, 115, 110), floor="concrete",
                     layers=(("parapet", {}), ("birds", {"count": 3})),
                     props=(_P("🪴", 0.9, 0.14, 0.1),)),
    "village": Place("outdoor", 0.6, (110, 165, 85), floor="grass",
                     layers=(("ridges", {"color": (110, 140, 110), "height": 0.1, "smooth": True}),
                             ("cottages", {}), ("path", {"color": (205, 185, 145)})),
                     props=(_P("🌳", 0.08, 0.3, 0.35), _P("🌻", 0.9, 0.12, 0.1))),
    "farm": Place("outdoor", 0.58, (120, 170, 80), floor="grass",
                  layers=(("ridges", {"color": (120, 150, 100), "height": 0.08, "smooth": True}),
                          ("barn", {"x": 0.3}), ("crops", {"color": (170, 150, 70), "top": 0.06}),
                          ("fence", {"at": 0.7})),
                  props=(_P("🚜", 0.82, 0.16, 0.45), _P("🌾", 0.1, 0.16, 0.1))),
    "field": Place("outdoor", 0.6, (175, 170, 80), floor="grass",
                   layers=(("ridges", {"color": (120, 150, 110), "height": 0.06, "smooth": True}),
                           ("treeline", {"color": (70, 110, 70), "height": 0.04}),
                           ("crops", {"color": (200, 175, 80)})),
                   props=(_P("🌻", 0.08, 0.2, 0.1), _P("🌻", 0.92, 0.16, 0.25),
                          _P("🌳", 0.75, 0.22, 0.95))),
    "park": Place("outdoor", 0.62, (95, 170, 80), floor="grass",
                  layers=(("ridges", {"color": (110, 150, 120), "height": 0.07}),
                          ("treeline", {"color": (65, 120, 70), "height": 0.06}),
                          ("path", {}), ("tufts", {"color": _GREEN}), ("leaves", {})),
                  props=(_P("🌳", 0.1, 0.36, 0.4), _P("🌳", 0.88, 0.3, 0.55),
                         _P("🌷", 0.22, 0.07, 0.05), _P("🌼", 0.8, 0.07, 0.1))),
    "forest": Place("outdoor", 0.6, (60, 120, 55), floor="grass",
                    layers=(("ridges", {"color": (60, 110, 90), "height": 0.12}),
                            ("treeline", {"color": (40, 90, 60), "height": 0.16}),
                            ("tufts", {"color": (60, 120, 55)}),
                            ("leaves", {"color": (190, 120, 40)})),
                    props=(_P("🌲", 0.08, 0.48, 0.3), _P("🌲", 0.92, 0.42, 0.5),
                           _P("🌳", 0.3, 0.3, 0.9), _P("🍄", 0.8, 0.07, 0.05))),
    "jungle": Place("outdoor", 0.66, (55, 105, 45), floor="grass",
                    layers=(("jungle", {}), ("tufts", {"color": (50, 110, 45)}),
                            ("leaves", {"color": (90, 160, 60)})),
                    props=(_P("🌺", 0.84, 0.08, 0.1), _P("🌿", 0.14, 0.16, 0.05))),
    "mountains": Place("outdoor", 0.62, (90, 140, 80), floor="grass",
                       layers=(("ridges", {"color": (95, 110, 140), "height": 0.34, "caps": True}),
                               ("tufts", {"color": (90, 140, 80)}), ("birds", {"count": 3})),
                       props=(_P("🌲", 0.08, 0.3, 0.3), _P("🌲", 0.9, 0.24, 0.5))),
    "snow": Place("outdoor", 0.6, (238, 242, 250), floor="snow",
                  layers=(("ridges", {"color": (200, 210, 230), "height": 0.2, "caps": True}),
                          ("snowfall", {})),
                  props=(_P("🌲", 0.1, 0.34, 0.4), _P("☃️", 0.85, 0.2, 0.2),
                         _P("🌲", 0.72, 0.22, 0.9))),
    "desert": Place("outdoor", 0.6, (225, 185, 120), floor="dunes",
                    layers=(("ridges", {"color": (205, 150, 100), "height": 0.1, "smooth": True}),
                            ("dust", {"color": (235, 200, 150)}), ("birds", {"count": 2})),
                    props=(_P("🌵", 0.1, 0.3, 0.3), _P("🌵", 0.86, 0.2, 0.6),
                           _P("🪨", 0.7, 0.07, 0.1))),
    "river": Place("outdoor", 0.56, (95, 160, 75), floor="grass",
                   layers=(("ridges", {"color": (90, 130, 110), "height": 0.1, "smooth": True}),
                           ("treeline", {"color": (55, 105, 65), "height": 0.06}),
                           ("river", {"top": 0.62, "bottom": 0.74}),
                           ("bridge", {"x0": 0.58, "x1": 1.2, "top": 0.555, "deck": 0.6,
                                       "foot": 0.75}),
                           ("tufts", {"color": _GREEN})),
                   props=(_P("🌳", 0.88, 0.3, 0.3), _P("🌾", 0.1, 0.12, 0.2))),
    "lake": Place("outdoor", 0.56, (95, 155, 80), floor="grass", floor_top=0.72,
                  layers=(("lake", {"to": 0.72}), ("jetty", {"x": 0.7}),
                          ("birds", {"count": 3})),
                  props=(_P("🛶", 0.3, 0.07, 0.66, "base"), _P("🌲", 0.9, 0.3, 0.2),
                         _P("🌾", 0.08, 0.12, 0.1))),
    "waterfall": Place("outdoor", 0.6, (90, 150, 80), floor="grass",
                       layers=(("waterfall", {"x": 0.5}), ("tufts", {"color": _GREEN})),
                       props=(_P("🌿", 0.1, 0.14, 0.1), _P("🪨", 0.88, 0.09, 0.2))),
    "cave": Place("outdoor", 0.64, (80, 72, 68), floor="rock", backdrop="cave",
                  layers=(("cave", {}),), props=(_P("💎", 0.78, 0.06, 0.15),),
                  light=(0.62, 0.6, 0.66)),
    "castle": Place("outdoor", 0.62, (100, 155, 80), floor="grass",
                    layers=(("ridges", {"color": (110, 130, 120), "height": 0.08, "smooth": True}),
                            ("castle", {"x": 0.6}), ("path", {"color": (180, 170, 150)}),
                            ("birds", {"count": 3})),
                    props=(_P("🌳", 0.1, 0.3, 0.4), _P("🚩", 0.88, 0.14, 0.2))),
    "sky": Place("outdoor", 1.2, (200, 220, 240), floor="none", backdrop="clouds",
                 grounded=False, layers=(("birds", {"count": 5}),),
                 props=(_P("🎈", 0.12, 0.1, 0.3, "base"),)),
    "plain": Place("outdoor", 0.64, (150, 170, 140), floor="grass",
                   layers=(("ridges", {"color": (140, 160, 170), "height": 0.05, "smooth": True}),
                           ("tufts", {"color": (150, 170, 140)}))),
    # --- travel
    "train_platform": Place("outdoor", 0.56, (175, 172, 165), floor="none",
                            layers=(("skyline", {"height": 0.2}), ("tracks", {}),
                                    ("clock", {"x": 0.22, "y": 0.14, "size": 0.045}),
                                    ("board", {"x": 0.5, "y": 0.07, "w": 0.3, "h": 0.06,
                                               "color": (25, 25, 30), "frame": (60, 60, 65),
                                               "ink": (250, 200, 60), "lines": 2,
                                               "glow": True})),
                            props=(_P("🧳", 0.9, 0.09, 0.2),)),
    "airport": Place("indoor", 0.66, (205, 205, 200), floor="shine", wall=(225, 228, 232),
                     view="tarmac", layers=(("terminal", {}),),
                     props=(_P("🧳", 0.86, 0.1, 0.25), _P("🪴", 0.08, 0.16, 0.3))),
    # --- indoors
    "interior": Place("indoor", 0.66, (150, 105, 70), floor="boards", wall=(225, 205, 175),
                      layers=(("window", {"x": 0.42, "y": 0.14, "w": 0.36, "h": 0.26,
                                          "curtains": (180, 80, 70)}),),
                      props=(_P("🪴", 0.1, 0.2, 0.3), _P("🛋️", 0.82, 0.16, 0.5),
                             _P("🖼️", 0.84, 0.09, 0.3, "base"))),
    "living_room": Place("indoor", 0.64, (150, 105, 70), floor="boards", wall=(215, 200, 170),
                         layers=(("window", {"x": 0.22, "y": 0.12, "w": 0.3, "h": 0.26,
                                             "curtains": (90, 110, 150)}),
                                 ("sofa", {"x": 0.5}), ("rug", {}),
                                 ("monitors", {"xs": (0.78,), "top": 0.44, "size": 0.22,
                                               "screen": (90, 150, 220)})),
                         props=(_P("🪴", 0.08, 0.18, 0.5),
                                _P("🖼️", 0.55, 0.09, 0.34, "base"),
                                _P("💡", 0.92, 0.08, 0.3, "base"))),
    "bedroom": Place("indoor", 0.64, (160, 130, 110), floor="carpet", wall=(205, 200, 230),
                     layers=(("window", {"x": 0.78, "y": 0.12, "w": 0.28, "h": 0.24,
                                         "curtains": (240, 200, 210)}), ("bed", {"x": 0.42})),
                     props=(_P("🧸", 0.74, 0.08, 0.72, "base"), _P("💡", 0.1, 0.1, 0.6, "base"),
                            _P("🖼️", 0.36, 0.08, 0.34, "base"))),
    "kitchen": Place("indoor", 0.68, (210, 210, 215), floor="checker", wall=(205, 225, 215),
                     layers=(("cabinets", {}), ("tiles", {"top": 0.34, "bottom": 0.58}),
                             ("window", {"x": 0.42, "y": 0.36, "w": 0.22, "h": 0.18}),
                             ("counter", {"top": 0.58, "height": 0.1, "front": (235, 235, 230),
                                          "surface": (90, 80, 75)}),
                             ("stove", {"x": 0.74, "top": 0.58}), ("fridge", {"x": 0.1})),
                     props=(_P("🍳", 0.74, 0.06, 0.575, "base"), _P("🪴", 0.3, 0.08, 0.575, "base"),
                            _P("🥘", 0.55, 0.06, 0.575, "base"))),
    "cafe": Place("indoor", 0.7, (160, 115, 80), floor="boards", wall=(230, 210, 180),
                  layers=(("window", {"x": 0.2, "y": 0.2, "w": 0.3, "h": 0.3, "panes": (2, 1)}),
                          ("board", {"x": 0.68, "y": 0.16, "w": 0.36, "h": 0.2,
                                     "color": (35, 40, 38), "frame": (120, 85, 55)}),
                          ("shelves", {"x0": 0.5, "x1": 0.86, "top": 0.38, "bottom": 0.5,
                                       "rows": 1, "fill": "cups"}),
                          ("counter", {"top": 0.6, "height": 0.12, "front": (110, 75, 50)}),
                          ("espresso", {"x": 0.7, "top": 0.6}),
                          ("lamps", {"xs": (0.22, 0.5, 0.8), "drop": 0.06})),
                  props=(_P("☕", 0.26, 0.05, 0.592, "base"), _P("🥐", 0.42, 0.05, 0.592, "base"),
                         _P("🍰", 0.9, 0.05, 0.592, "base"))),
    "bar": Place("indoor", 0.7, (70, 45, 35), floor="boards", wall=(60, 35, 40),
                 layers=(("shelves", {"x0": 0.06, "x1": 0.94, "top": 0.2, "bottom": 0.5, "rows": 3,
                                      "fill": "bottles", "wood": (90, 55, 35)}),
                         ("neon", {"x": 0.5, "y": 0.08, "color": (255, 60, 170)}),
                         ("counter", {"top": 0.6, "height": 0.14, "front": (90, 50, 30),
                                      "surface": (150, 100, 60)}),
                         ("stools", {"xs": (0.18, 0.5, 0.82), "seat": 0.78}),
                         ("lamps", {"xs": (0.3, 0.7), "drop": 0.03, "glow": (255, 180, 100)})),
                 props=(_P("🍸", 0.3, 0.06, 0.592, "base"), _P("🍺", 0.66, 0.06, 0.592, "base"))),
    "restaurant": Place("indoor", 0.66, (120, 70, 50), floor="boards", wall=(150, 50, 45),
                        layers=(("window", {"x": 0.5, "y": 0.14, "w": 0.3, "h": 0.26,
                                            "frame": (90, 60, 40), "curtains": (230, 200, 140)}),
                                ("tables", {"xs": (0.18, 0.82), "top": 0.76, "width": 0.28}),
                                ("lamps", {"xs": (0.18, 0.82), "drop": 0.12,
                                           "shade_color": (200, 160, 60)})),
                        props=(_P("🍷", 0.14, 0.06, 0.75, "base"),
                               _P("🍝", 0.86, 0.05, 0.75, "base"),
                               _P("🕯️", 0.22, 0.06, 0.75, "base"), _P("🖼️", 0.18, 0.1, 0.4, "base"))),
    "office": Place("indoor", 0.66, (120, 125, 135), floor="carpet", wall=(225, 228, 230),
                    view="city",
                    layers=(("window", {"x": 0.5, "y": 0.08, "w": 0.7, "h": 0.32, "panes": (4, 1),
                                        "frame": (90, 95, 100), "blinds": True}),
                            ("desks", {"rows": 1, "color": (230, 230, 232)}),
                            ("monitors", {"xs": (0.12, 0.5, 0.88), "top": 0.66})),
                    props=(_P("🪴", 0.92, 0.18, 0.6), _P("☕", 0.3, 0.045, 0.69, "base"),
                           _P("🗂️", 0.7, 0.05, 0.69, "base"))),
    "classroom": Place("indoor", 0.66, (170, 130, 90), floor="boards", wall=(235, 225, 190),
                       layers=(("board", {"x": 0.5, "y": 0.1, "w": 0.72, "h": 0.26,
                                          "color": (40, 75, 55), "frame": (140, 100, 60)}),
                               ("desks", {"rows": 2}), ("clock", {"x": 0.93, "y": 0.06})),
                       props=(_P("🌍", 0.88, 0.09, 0.694, "base"),
                              _P("📚", 0.12, 0.06, 0.694, "base"),
                              _P("✏️", 0.5, 0.04, 0.694, "base"))),
    "lab": Place("indoor", 0.68, (220, 225, 228), floor="tiles", wall=(225, 235, 240),
                 layers=(("tiles", {"top": 0.3, "bottom": 0.6, "color": (235, 242, 245)}),
                         ("shelves", {"x0": 0.06, "x1": 0.4, "top": 0.12, "bottom": 0.3, "rows": 2,
                                      "fill": "jars", "wood": (180, 185, 190),
                                      "colors": ((120, 200, 230), (120, 220, 140), (240, 160, 200),
                                                 (230, 230, 240))}),
                         ("monitors", {"xs": (0.72,), "top": 0.3, "size": 0.2,
                                       "screen": (40, 200, 150)}),
                         ("counter", {"top": 0.6, "height": 0.12, "front": (200, 205, 210),
                                      "surface": (40, 45, 50), "panels": False})),
                 props=(_P("🧪", 0.16, 0.07, 0.592, "base"), _P("⚗️", 0.36, 0.09, 0.592, "base"),
                        _P("🔬", 0.62, 0.1, 0.592, "base"), _P("🧫", 0.86, 0.05, 0.592, "base"))),
    "garage": Place("indoor", 0.66, (130, 130, 135), floor="concrete", wall=(150, 150, 155),
                    layers=(("garage", {}), ("tubes", {"xs": (0.3, 0.7)})),
                    props=(_P("🧰", 0.12, 0.1, 0.55), _P("🛞", 0.9, 0.12, 0.45),
                           _P("🔧", 0.04, 0.06, 0.35, "base"))),
    "gym": Place("indoor", 0.66, (60, 62, 66), floor="rubber", wall=(200, 200, 195),
                 layers=(("mirror", {"top": 0.16, "bottom": 0.56}), ("racks", {}),
                         ("tubes", {}), ("clock", {"x": 0.1, "y": 0.08})),
                 props=(_P("🥊", 0.9, 0.09, 0.3, "base"),)),
    "library": Place("indoor", 0.68, (140, 90, 60), floor="boards", wall=(120, 80, 55),
                     layers=(("shelves", {"x0": -0.25, "x1": 0.32, "top": 0.06, "bottom": 0.66,
                                          "rows": 6, "fill": "books"}),
                             ("shelves", {"x0": 0.68, "x1": 1.25, "top": 0.06, "bottom": 0.66,
                                          "rows": 6, "fill": "books"}),
                             ("window", {"x": 0.5, "y": 0.1, "w": 0.24, "h": 0.3, "panes": (2, 3),
                                         "frame": (90, 60, 40)}),
                             ("tables", {"xs": (0.5,), "top": 0.76, "cloth": (120, 80, 50),
                                         "width": 0.4})),
                     props=(_P("📖", 0.44, 0.05, 0.75, "base"),
                            _P("💡", 0.58, 0.08, 0.75, "base"))),
    "supermarket": Place("indoor", 0.66, (225, 225, 220), floor="shine", wall=(240, 240, 238),
                         layers=(("aisles", {}), ("tubes", {"y": 0.01})),
                         props=(_P("🛒", 0.82, 0.18, 0.35),)),
    "stage": Place("indoor", 0.72, (90, 60, 40), floor="stage", wall=(20, 12, 30),
                   layers=(("curtains", {}), ("spot", {}), ("stage_front", {"top": 0.95}),
                           ("stage_lights", {})),
                   props=(_P("🎤", 0.72, 0.12, 0.3), _P("🔊", 0.1, 0.14, 0.5),
                          _P("🔊", 0.9, 0.14, 0.5))),
    "concert_hall": Place("indoor", 0.62, (110, 70, 45), floor="stage", wall=(90, 45, 40),
                          layers=(("pipes", {"x": 0.5, "width": 0.56, "top": 0.03, "bottom": 0.24}),
                                  ("tiers", {"top": 0.26, "bottom": 0.5, "rows": 4,
                                             "color": (150, 40, 50)}),
                                  ("stage_front", {"top": 0.58}),
                                  ("spot", {"x": 0.5, "color": (255, 240, 210)})),
                          props=(_P("🎹", 0.84, 0.12, 0.4), _P("🎻", 0.12, 0.1, 0.35))),
    "stadium": Place("outdoor", 0.52, (85, 165, 80), floor="none",
                     layers=(("tiers", {"top": 0.14, "bottom": 0.5, "rows": 6,
                                        "color": (60, 80, 140)}),
                             ("pitch", {}), ("floodlights", {})), floodlit=True,
                     props=(_P("⚽", 0.7, 0.05, 0.3),)),
    # --- beyond
    "underwater": Place("beyond", 0.82, (200, 180, 130), floor="sand", backdrop="underwater",
                        grounded=False, layers=(("seaweed", {}),), light=(0.9, 1.0, 1.05),
                        props=(_P("🪸", 0.1, 0.14, 0.3), _P("🐚", 0.72, 0.06, 0.1),
                               _P("🪸", 0.9, 0.12, 0.5))),
    "space": Place("beyond", 1.2, (0, 0, 0), floor="none", backdrop="space", grounded=False,
                   light=(1.0, 1.0, 1.0),
                   props=(_P("🪐", 0.8, 0.16, 0.24, "far"), _P("☄️", 0.18, 0.08, 0.14, "far"))),
    "space_station": Place("beyond", 0.7, (120, 125, 135), floor="none", wall=(200, 205, 212),
                           backdrop="space", layers=(("panels", {}),), light=(0.95, 1.0, 1.05),
                           props=(_P("🛰️", 0.3, 0.08, 0.34, "far"),)),
    "moon": Place("beyond", 0.6, (150, 150, 155), floor="dust", backdrop="moon",
                  layers=(("ridges", {"color": (110, 110, 118), "height": 0.06, "smooth": True}),
                          ("craters", {"color": (150, 150, 155), "rim": (190, 190, 195)})),
                  light=(1.0, 1.0, 1.02),
                  props=(_P("🚀", 0.14, 0.3, 0.45), _P("🏳️", 0.86, 0.14, 0.3))),
    "mars": Place("outdoor", 0.6, (190, 100, 60), floor="dust", backdrop="mars",
                  layers=(("ridges", {"color": (160, 80, 55), "height": 0.14}),
                          ("rocks", {"color": (150, 75, 50)}), ("dust", {})),
                  light=(1.04, 0.96, 0.9),
                  props=(_P("🚀", 0.86, 0.28, 0.5), _P("🪨", 0.12, 0.08, 0.2))),
}


def place_of(setting: str) -> Place:
    return PLACES.get(setting, PLACES["plain"])


# --- floors -------------------------------------------------------------------------------


def _floor(p: Painter, place: Place) -> None:
    """The ground from the horizon down, with its pattern."""
    kind, color = place.floor, place.ground
    if kind == "none":
        return
    if p.weather == "snow" and place.kind == "outdoor" and kind in ("grass", "dunes", "rock"):
        color = (236, 240, 248)  # snow settles on the ground
    d = p.nd
    u = p.u
    top = max(p.hy, p.Y(place.floor_top))
    p.near.paste(gradient(int(p.ch - top) + 1, p.cw, mix(color, p.haze, 0.25)
                          if place.kind == "outdoor" else shade(color, 0.9), color,
                          (p.ch - top) * 0.6).convert("RGBA"), (0, int(top)))
    vx = p.cw / 2
    if kind in ("boards", "tiles", "checker", "shine", "rubber", "carpet", "concrete", "stage"):
        lines = {"boards": 60, "tiles": 90, "checker": 80, "shine": 120, "rubber": 140,
                 "stage": 50}.get(kind)
        if lines:
            for x in np.arange(-p.cw, 2 * p.cw, lines * u):
                d.line((vx + (x - vx) * 0.35, top, x, p.ch), fill=(*shade(color, 0.85), 255),
                       width=max(1, int(2 * u)))
        if kind in ("tiles", "checker", "rubber"):
            for k in range(1, 9):
                y = top + (p.ch - top) * (k / 9) ** 1.6
                d.line((0, y, p.cw, y), fill=(*shade(color, 0.85), 255), width=max(1, int(2 * u)))
        if kind == "checker":
            for k in range(9):
                y0 = top + (p.ch - top) * (k / 9) ** 1.6
                y1 = top + (p.ch - top) * ((k + 1) / 9) ** 1.6
                for j, x in enumerate(np.arange(-p.cw, 2 * p.cw, 80 * u)):
                    if (j + k) % 2:
                        continue
                    f0 = 0.35 + 0.65 * (y0 - top) / (p.ch - top)
                    f1 = 0.35 + 0.65 * (y1 - top) / (p.ch - top)
                    xa, xb = x, x + 80 * u
                    d.polygon([(vx + (xa - vx) * f0, y0), (vx + (xb - vx) * f0, y0),
                               (vx + (xb - vx) * f1, y1), (vx + (xa - vx) * f1, y1)],
                              fill=(*shade(color, 0.55), 255))
        if kind == "shine":  # polished floor: the lights reflected
            for fx in (0.2, 0.5, 0.8):
                d.rectangle((p.X(fx) - 30 * u, top + 0.05 * p.h, p.X(fx) + 30 * u, p.ch),
                            fill=(*mix(color, (255, 255, 255), 0.35), 255))
        d.line((0, top, p.cw, top), fill=(*shade(color, 0.6), 255), width=max(2, int(6 * u)))
    elif kind in ("grass", "snow", "sand", "dust", "rock", "dunes", "asphalt", "water"):
        if kind == "dunes":
            for k in range(3):
                y0 = top + (k + 1) * 0.08 * p.h
                d.line([(x, y0 + 10 * u * math.sin(x / (90 * u) + 2 * k))
                        for x in range(0, p.cw, 10)], fill=(*shade(color, 0.9), 255),
                       width=max(1, int(3 * u)))
        elif kind in ("grass", "snow", "dust", "rock", "sand"):
            for _ in range(int(110 * p.cw / 1000 * u) + 20):
                x, y = float(p.rng.uniform(0, p.cw)), float(p.rng.uniform(top, p.ch))
                tone = shade(color, float(p.rng.uniform(0.85, 1.1)))
                if kind == "grass":
                    d.line((x, y, x + float(p.rng.uniform(-3, 3)) * u, y - 8 * u),
                           fill=(*tone, 255), width=max(1, int(2 * u)))
                else:
                    r = float(p.rng.uniform(1, 4)) * u
                    d.ellipse((x - r, y - r * 0.5, x + r, y + r * 0.5), fill=(*tone, 255))


# --- painting a place ---------------------------------------------------------------------


def paint(setting: str, time: str, weather: str, w: int, h: int, mx: int, my: int,
          rng: np.random.Generator, safe: dict[float, Box],
          signs: tuple[str, ...] = ()) -> Scenery:
    """Draw ``setting`` for one shot on a canvas of the frame plus margins ``mx``/``my``.

    ``safe`` gives, per layer parallax (1.0 near, ``FAR_PARALLAX`` far), the canvas box
    the camera keeps in view all shot long: props are kept inside it."""
    place = place_of(setting)
    cw, ch = w + 2 * mx, h + 2 * my
    hy = my + min(place.horizon, 1.2) * h
    far = Image.new("RGB", (cw, ch), (0, 0, 0))
    near = Image.new("RGBA", (cw, ch), (0, 0, 0, 0))
    sky_low = SKY.get(time, SKY["day"])[1]
    haze = {"underwater": (30, 90, 130), "cave": (50, 45, 50), "mars": (220, 150, 105),
            "moon": (40, 40, 48), "space": (20, 15, 40)}.get(place.backdrop, sky_low)
    if weather in ("fog", "rain", "storm", "snow") and place.kind == "outdoor":
        haze = mix(haze, (190, 195, 200), 0.5)
    p = Painter(far, near, w, h, mx, my, hy, rng, time, weather, safe, haze)
    # 1. What is far away: the sky (or space, or what a room's windows look out on).
    BACKDROPS.get(place.backdrop, _sky)(p)
    if place.kind == "indoor" or place.wall is not None:
        _view(p, "stars" if place.backdrop == "space" else place.view)
        if place.wall is not None and setting != "space_station":
            _wall(p, place)
    # 2. The ground, then the place's own layers, then its props and signs.
    _floor(p, place)
    for name, params in place.layers:
        BUILDERS[name](p, **params)
    if place.kind == "indoor":  # dust in the air, catching the light
        motes = [[p.X(float(p.rng.uniform(0.15, 0.85))), p.Y(float(p.rng.uniform(0.12, 0.5))),
                  max(1.0, 1.6 * p.u), float(p.rng.uniform(0, 6)), float(p.rng.uniform(0.3, 0.8))]
                 for _ in range(8)]
        p.moving("motes", motes, mix(place.wall or (200, 200, 200), (255, 248, 225), 0.5))
    for prop in place.props:
        _put_prop(p, place, prop)
    for k, text in enumerate(signs[:2]):
        _put_sign(p, place, text, k)
    # 3. Depth of field: the far layer a little soft, the focus on the near one.
    if place.kind != "indoor":
        p.far = p.far.filter(ImageFilter.BoxBlur(max(0.6, 1.2 * p.u)))
    light_x, light_low = SUN.get(time, SUN["day"])
    if place.kind == "indoor":
        window = next((params for name, params in place.layers if name == "window"), None)
        light_x = (float(window["x"]) - 0.5) * 2 if window else 0.3
        light_low = 0.3
    elif place.kind == "beyond":
        light_x, light_low = 0.6, 0.5
    return Scenery(far=p.far, near=p.near, idle=p.idle, props=p.props, light_x=light_x,
                   light_low=light_low)


def _wall(p: Painter, place: Place) -> None:
    """A room's back wall and skirting, on the near layer (windows are cut into it)."""
    wall = place.wall or (220, 210, 190)
    p.near.paste(gradient(int(p.hy) + 1, p.cw, shade(wall, 1.04), shade(wall, 0.86), p.hy)
                 .convert("RGBA"), (0, 0))
    d = p.nd
    d.rectangle((0, p.hy - 14 * p.u, p.cw, p.hy), fill=(*shade(wall, 0.7), 255))


def _put_prop(p: Painter, place: Place, prop: Prop) -> None:
    short = min(p.w, p.h)
    if prop.at == "floor":
        scale = depth_scale(prop.y)
        base = p.Y(floor_y(place, prop.y))
    else:
        scale = 1.0
        base = p.Y(prop.y)
    art = glyph_image(prop.glyph, max(8, int(prop.size * short * scale)))
    p.prop(art, p.X(prop.x), base, prop.glyph, far=prop.at == "far")


def _put_sign(p: Painter, place: Place, text: str, k: int) -> None:
    """A sign with the prompt's words: on the wall indoors, on a post outdoors."""
    short = min(p.w, p.h)
    board = sign_board(text, int(0.42 * short))
    x = p.X(0.5 if k == 0 else 0.25)
    if place.kind == "indoor" or place.wall is not None:
        base = p.Y(min(0.36, place.horizon - 0.1)) + board.height * 0.5
        p.prop(board, x, base, "sign")
        return
    post_base = p.Y(floor_y(place, 0.75))
    post = Image.new("RGBA", (board.width, board.height + int(0.12 * short)), (0, 0, 0, 0))
    ImageDraw.Draw(post).rectangle((board.width / 2 - 0.01 * short, board.height,
                                    board.width / 2 + 0.01 * short, post.height),
                                   fill=(100, 75, 55, 255))
    post.alpha_composite(board, (0, 0))
    p.prop(post, p.X(0.7 if k == 0 else 0.3), post_base, "sign")


# --- what moves by itself ------------------------------------------------------------------

ToScreen = Callable[[float, float, float], tuple[float, float, float]]


def draw_idle(draw: ImageDraw.ImageDraw, idle: list[Idle], t: float, to_screen: ToScreen,
              tone: Callable[[Color], Color], unit: float) -> None:
    """Draw the scene's own movement at ``t`` seconds into the shot. ``to_screen`` maps a
    canvas point and a layer parallax to screen x, y and zoom."""
    for item in idle:
        kind, rows, k = item.kind, item.rows, item.parallax
        color = tone(item.color)
        if kind == "twinkle":  # x, y, r, phase, speed
            for x, y, r, ph, sp in rows:
                b = 0.5 + 0.5 * math.sin(t * (2.0 + sp) + ph)
                sx, sy, z = to_screen(x, y, k)
                rr = r * z * (0.4 + 0.8 * b)
                draw.ellipse((sx - rr, sy - rr, sx + rr, sy + rr), fill=tone(shade(item.color,
                                                                                   0.5 + 0.5 * b)))
        elif kind == "motes":  # x, y, r, phase, speed: floating slowly
            for x, y, r, ph, sp in rows:
                sx, sy, z = to_screen(x + 24 * unit * math.sin(t * sp + ph),
                                      y + 16 * unit * math.sin(t * sp * 0.7 + 2 * ph), k)
                rr = max(1.0, r * z)
                draw.ellipse((sx - rr, sy - rr, sx + rr, sy + rr), fill=color)
        elif kind == "traffic":  # phase, y, length, speed (widths a second), colour index
            width = item.span or 1000.0
            for ph, y, ln, sp, c in rows:
                x = ((ph + t * sp) % 1.2 - 0.1) * width
                sx, sy, z = to_screen(x, y, k)
                ln_z, hgt = ln * z, ln * z * 0.32
                body = tone(item.colors[int(c) % len(item.colors)])
                draw.rounded_rectangle((sx - ln_z / 2, sy - hgt, sx + ln_z / 2, sy),
                                       radius=max(1, int(hgt * 0.3)), fill=body)
                draw.rectangle((sx - ln_z * 0.25, sy - hgt * 1.6, sx + ln_z * 0.25, sy - hgt),
                               fill=body)
                draw.rectangle((sx - ln_z * 0.2, sy - hgt * 1.45, sx + ln_z * 0.2, sy - hgt),
                               fill=tone((150, 190, 220)))
                lamp = ln_z / 2 if sp > 0 else -ln_z / 2
                draw.ellipse((sx + lamp - hgt * 0.2, sy - hgt * 0.7, sx + lamp + hgt * 0.2,
                              sy - hgt * 0.3), fill=(255, 240, 180))
        elif kind == "leaves":  # x, y, size, phase, speed: falling, rocking side to side
            bottom = item.span or 1000.0
            for j, (x, y0, r, ph, sp) in enumerate(rows):
                v = (ph + t * sp) % 1.0
                rock = math.sin(t * 2.2 + ph * 9)
                sx, sy, z = to_screen(x + 30 * unit * rock, y0 + (bottom - y0) * v, k)
                rr = r * z
                col = tone(item.colors[j % len(item.colors)]) if item.colors else color
                draw.ellipse((sx - rr, sy - rr * (0.35 + 0.25 * abs(rock)), sx + rr,
                              sy + rr * (0.35 + 0.25 * abs(rock))), fill=col)
        elif kind == "birds":  # phase, y, size, flap phase, speed (widths a second)
            width = item.span or 1000.0
            for ph, y, r, fl, sp in rows:
                x = ((ph + t * sp) % 1.2 - 0.1) * width
                sx, sy, z = to_screen(x, y + 6 * unit * math.sin(t * 0.8 + fl), k)
                rr = r * z
                lift = rr * 0.6 * math.sin(t * 9 + fl)
                draw.line((sx - rr, sy - lift, sx, sy, sx + rr, sy - lift), fill=color,
                          width=max(1, int(2 * unit * z)))
        elif kind == "flag":  # pole top x, y, length, phase: a pennant waving
            for x, y, ln, ph, _sp in rows:
                sx, sy, z = to_screen(x, y, k)
                wave = math.sin(t * 5 + ph)
                tip = (sx + ln * z * (0.95 + 0.05 * wave), sy + ln * z * (0.25 + 0.12 * wave))
                draw.polygon([(sx, sy), tip, (sx, sy + ln * z * 0.5)], fill=color)
        elif kind == "clock":  # centre x, y, radius, phase: the second hand going round
            for x, y, r, ph, _sp in rows:
                sx, sy, z = to_screen(x, y, k)
                a = ph + 2 * math.pi * t / 60 * 6  # a brisk second hand
                hand = 0.85 * r * z
                draw.line((sx, sy, sx + hand * math.sin(a), sy - hand * math.cos(a)),
                          fill=color, width=max(1, int(2 * unit * z)))
        elif kind == "tube":  # a fluorescent tube that stutters now and then
            for x0, y0, x1, y1, _ph in rows:
                cycle = t % 3.0
                if 1.0 < cycle < 1.35 and math.sin(t * 60) > 0:
                    ax, ay, _z = to_screen(x0, y0, k)
                    bx, by, _ = to_screen(x1, y1, k)
                    draw.rectangle((ax, ay, bx, by), fill=tone(shade(item.color, 0.45)))
        elif kind == "chase":  # x, y, r, phase, colour index: stage lamps blinking in turn
            for j, (x, y, r, ph, c) in enumerate(rows):
                on = math.sin(t * 4.0 - j * 0.9 + ph * 0.1) > 0
                sx, sy, z = to_screen(x, y, k)
                col = item.colors[int(c) % len(item.colors)]
                rr = r * z * (1.0 if on else 0.7)
                draw.ellipse((sx - rr, sy - rr, sx + rr, sy + rr),
                             fill=tone(col if on else shade(col, 0.35)))
        elif kind == "ripple":  # x, y, length, phase, speed: glints that slide and shimmer
            for x, y, ln, ph, sp in rows:
                s = math.sin(t * sp + ph)
                sx, sy, z = to_screen(x + 10 * unit * s, y, k)
                half = ln * z * (0.3 + 0.35 * (1 + s)) / 2
                draw.line((sx - half, sy, sx + half, sy), fill=color,
                          width=max(1, int(2 * unit * z)))
        elif kind == "foam":  # x, y, length, phase, speed: a wash coming and going
            for x, y, ln, ph, sp in rows:
                s = math.sin(t * sp + ph)
                sx, sy, z = to_screen(x, y + 5 * unit * s, k)
                half = ln * z * (0.35 + 0.25 * s)
                draw.line((sx - half, sy, sx + half, sy), fill=color,
                          width=max(1, int(3 * unit * z)))
        elif kind == "flow":  # x0, y, length, phase, speed (fraction of the width a second)
            width = item.span or 1000.0
            for _x, y, ln, ph, sp in rows:
                x = ((ph + t * sp) % 1.0) * width
                sx, sy, z = to_screen(x, y, k)
                draw.line((sx, sy, sx + ln * z, sy), fill=color, width=max(1, int(2 * unit * z)))
        elif kind == "drift":  # dust blowing sideways
            width = item.span or 1000.0
            for x0, y, r, ph, sp in rows:
                x = (x0 + (ph + t * sp) * width) % width
                sx, sy, z = to_screen(x, y + 6 * unit * math.sin(t + ph * 6), k)
                draw.ellipse((sx - r * z, sy - r * z, sx + r * z, sy + r * z), fill=color)
        elif kind == "fall":  # x, top, bottom, phase, speed: streaks falling down
            for x, y0, y1, ph, sp in rows:
                v = (ph + t * sp) % 1.0
                y = y0 + (y1 - y0) * v
                ax, ay, z = to_screen(x, y, k)
                _bx, by, _ = to_screen(x, min(y1, y + 0.08 * (y1 - y0)), k)
                draw.line((ax, ay, ax, by), fill=color, width=max(1, int(3 * unit * z)))
        elif kind == "drip":  # x, top, length, phase, period
            for x, y0, ln, ph, _sp in rows:
                v = ((t * 0.6 + ph) % 1.0)
                sx, sy, z = to_screen(x, y0 + ln * v * v, k)
                r = 2.5 * unit * z
                draw.ellipse((sx - r, sy - r, sx + r, sy + r * 1.6), fill=color)
        elif kind == "smoke":  # x, y, r, phase, speed: puffs rising and fading
            for x, y, r, ph, sp in rows:
                for j in range(3):
                    v = (ph + j / 3 + t * sp) % 1.0
                    sx, sy, z = to_screen(x + 8 * unit * math.sin(v * 6 + ph), y - 90 * unit * v, k)
                    rr = r * z * (0.6 + v)
                    draw.ellipse((sx - rr, sy - rr, sx + rr, sy + rr),
                                 outline=tone(shade(item.color, 1.0 - 0.3 * v)),
                                 width=max(1, int(2 * unit * z)))
        elif kind == "sway":  # x, y, height, phase, speed: grass or crops in the wind
            for x, y, ln, ph, sp in rows:
                lean = 6 * unit * math.sin(t * sp * 2 + ph)
                sx, sy, z = to_screen(x, y, k)
                for dx in (-4, 0, 4):
                    draw.line((sx + dx * unit * z, sy, sx + (dx * 1.5 * unit + lean) * z,
                               sy - ln * z), fill=color, width=max(1, int(2 * unit * z)))
        elif kind in ("vine", "weed"):  # x, anchor y, length/other end, phase, leaf size
            alt = tone(item.colors[0]) if item.colors else color
            for x, y0, y1, ph, leaf in rows:
                pts = []
                n = 6
                for j in range(n + 1):
                    f = j / n
                    if kind == "vine":  # hangs from the top, swings at the bottom
                        yy = y0 + (y1 - y0) * f
                        xx = x + 16 * unit * f * f * math.sin(t * 0.9 + ph)
                    else:  # grows up from the floor, sways at the top
                        yy = y0 - y1 * f
                        xx = x + 22 * unit * f * f * math.sin(t * 0.8 + ph)
                    pts.append(to_screen(xx, yy, k))
                z = pts[0][2]
                draw.line([(a, b) for a, b, _ in pts], fill=color, width=max(1, int(4 * unit * z)))
                for j, (a, b, _) in enumerate(pts[1:], start=1):
                    s = leaf * z * 0.6
                    side = 1 if j % 2 else -1
                    draw.ellipse((a + side * s * 0.2 - s, b - s * 0.45, a + side * s * 0.2 + s,
                                  b + s * 0.45), fill=alt if j % 2 else color)
        elif kind == "crowd":  # x, y, r, phase, skin index: heads bobbing
            skins = item.colors
            for x, y, r, ph, c in rows:
                bob = abs(math.sin(t * 3.0 + ph)) * r * 0.5
                sx, sy, z = to_screen(x, y - bob, k)
                rr = r * z
                draw.ellipse((sx - rr, sy - rr, sx + rr, sy + rr), fill=tone(skins[int(c)]))
        elif kind == "screen":  # x0, y0, x1, y1, phase: a screen with moving content
            for x0, y0, x1, y1, ph in rows:
                ax, ay, z = to_screen(x0, y0, k)
                bx, by, _ = to_screen(x1, y1, k)
                b = 0.85 + 0.15 * math.sin(t * 7 + ph)
                draw.rectangle((ax, ay, bx, by), fill=tone(shade(item.color, b)))
                for j in range(3):  # lines of content scrolling up
                    v = ((t * 0.25 + ph + j / 3) % 1.0)
                    yy = by - (by - ay) * v
                    draw.line((ax + (bx - ax) * 0.12, yy, ax + (bx - ax) * (0.5 + 0.3 * j / 3), yy),
                              fill=tone(shade(item.color, 1.5)), width=max(1, int(3 * unit * z)))
        elif kind == "flicker":  # x0, y0, x1, y1, phase: lit letters on a board
            for x0, y0, x1, y1, ph in rows:
                if math.sin(t * 1.3 + ph * 3) < -0.85:
                    continue  # the board flips to the next entry
                ax, ay, _z = to_screen(x0, y0, k)
                bx, by, _ = to_screen(x1, y1, k)
                draw.rectangle((ax, ay, bx, by), fill=color)
        elif kind == "neon":  # x0, y0, x1, y1: tubes that buzz
            on = math.sin(t * 23.0) > -0.9 and not (1.6 < (t % 4.0) < 1.75)
            col = color if on else tone(shade(item.color, 0.45))
            for x0, y0, x1, y1, _ph in rows:
                ax, ay, z = to_screen(x0, y0, k)
                bx, by, _ = to_screen(x1, y1, k)
                draw.line((ax, ay, bx, by), fill=col, width=max(2, int(6 * unit * z)))
        elif kind == "signal":  # traffic light: red, amber, green in turn
            phase = int((t / 2.0) % 3)
            lit = (0, 2, 1)[phase]
            for j, (x, y, r, _ph, _sp) in enumerate(rows):
                sx, sy, z = to_screen(x, y, k)
                col = tone(item.colors[j]) if j == lit else tone(shade(item.colors[j], 0.25))
                draw.ellipse((sx - r * z, sy - r * z, sx + r * z, sy + r * z), fill=col)
