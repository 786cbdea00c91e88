"""Capture clips for the character tests, built from real public-domain pictures that
ship with scikit-image (nothing is downloaded):

- a person: the astronaut portrait (Eileen Collins, NASA), with synthetic head turns —
  the face is wrapped around a cylinder and rotated, which moves the nose relative to
  the jaw line and the eyes the way a real turn does — and the challenge phrase spoken
  by eSpeak NG;
- a pet: ``data.chelsea()`` (a cat) with a purr-like hum;
- a clip with no face at all (a wall of coffee beans).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from kinema.engines.procedural.plan import Voice
from kinema.engines.procedural.speech import speak

WIDTH, HEIGHT, FPS, RATE = 240, 320, 12, 48000
READING_VOICE = Voice(variant="m1", pitch=50, rate=120)
TURN_DEGREES = 30.0
# Where each turn moves the face: (yaw, pitch) in degrees, from the person's own view.
TURN_ANGLES = {
    "left": (TURN_DEGREES, 0.0),
    "right": (-TURN_DEGREES, 0.0),
    "up": (0.0, TURN_DEGREES),
    "down": (0.0, -TURN_DEGREES),
}


def astronaut_portrait() -> np.ndarray:
    """The astronaut photo cropped to her head and shoulders (RGB, 240x320). The crop
    leaves out the mission patch, which dlib takes for a second face."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[0:320, 100:340])


def cat_picture() -> np.ndarray:
    from skimage import data

    image = data.chelsea()
    return np.ascontiguousarray(cv2.resize(image, (WIDTH, round(WIDTH * 300 / 451) // 2 * 2)))


def turned(image: np.ndarray, yaw_deg: float, pitch_deg: float) -> np.ndarray:
    """The face turned by ``yaw_deg`` (positive: to the person's left, so the nose moves
    toward the right of the picture) and ``pitch_deg`` (positive: looking up)."""
    height, width = image.shape[:2]
    cx, cy, radius, sigma = 120.0, 125.0, 62.0, 75.0
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ax = np.clip((xs - cx) / radius, -1, 1)
    ay = np.clip((ys - cy) / radius, -1, 1)
    dx = radius * np.sin(np.arcsin(ax) - np.radians(yaw_deg)) - radius * ax
    dy = radius * np.sin(np.arcsin(ay) + np.radians(pitch_deg)) - radius * ay
    weight = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * sigma**2))
    map_x = (xs + dx * weight).astype(np.float32)
    map_y = (ys + dy * weight).astype(np.float32)
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def write_clip(path: Path, frames: Sequence[np.ndarray], sound: np.ndarray | None) -> Path:
    """Mux RGB ``frames`` at ``FPS`` and mono ``sound`` at ``RATE`` into an MP4."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = container.add_stream("aac", rate=RATE) if sound is not None else None
        if audio is not None:
            audio.layout = "mono"
        for image in frames:
            for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if audio is not None and sound is not None:
            pts = 0
            for start in range(0, len(sound), 1024):
                chunk = sound[start : start + 1024].astype(np.float32).reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                frame.sample_rate = RATE
                frame.pts, frame.time_base = pts, Fraction(1, RATE)
                pts += chunk.shape[1]
                for packet in audio.encode(frame):
                    container.mux(packet)
            for packet in audio.encode():
                container.mux(packet)
    return path


def pose_track(turns: Sequence[str]) -> list[tuple[float, float]]:
    """(yaw, pitch) per frame: face the camera, then each turn (ease in, hold, come
    back), then face the camera again."""
    poses = [(0.0, 0.0)] * round(0.8 * FPS)
    for turn in turns:
        yaw, pitch = TURN_ANGLES[turn]
        ease = [i / 3 for i in range(1, 4)]
        poses += [(yaw * e, pitch * e) for e in ease]
        poses += [(yaw, pitch)] * round(0.4 * FPS)
        poses += [(yaw * e, pitch * e) for e in reversed(ease)]
        poses += [(0.0, 0.0)] * round(0.3 * FPS)
    while len(poses) < 3.6 * FPS:
        poses.append((0.0, 0.0))
    return poses


def spoken(phrase: str, seconds: float) -> np.ndarray:
    """``phrase`` spoken by eSpeak NG from 0.3 s, padded with quiet room noise."""
    total = int(seconds * RATE)
    rng = np.random.default_rng(7)
    sound = (rng.standard_normal(total) * 0.002).astype(np.float32)
    # Read the way people read a code aloud: a little slower than conversation.
    voice = speak(phrase, "en", READING_VOICE, sample_rate=RATE)[: total - int(0.3 * RATE)]
    start = int(0.3 * RATE)
    sound[start : start + len(voice)] += 0.8 * voice
    return sound


def person_clip(
    path: Path, phrase: str, turns: Sequence[str], *, image: np.ndarray | None = None
) -> Path:
    """A capture clip of the astronaut (or ``image``) making ``turns`` and saying
    ``phrase``."""
    portrait = astronaut_portrait() if image is None else image
    frames = [turned(portrait, yaw, pitch) for yaw, pitch in pose_track(turns)]
    return write_clip(path, frames, spoken(phrase, len(frames) / FPS))


def pet_clip(path: Path) -> Path:
    """Four seconds of the cat, gently drifting, with a low purr."""
    cat = cat_picture()
    frames = []
    for i in range(4 * FPS):
        shift = np.float32([[1, 0, 2 * np.sin(i / 6)], [0, 1, 0]])
        frames.append(
            cv2.warpAffine(
                cat, shift, (cat.shape[1], cat.shape[0]), borderMode=cv2.BORDER_REPLICATE
            )
        )
    t = np.arange(4 * RATE) / RATE
    purr = 0.1 * np.sin(2 * np.pi * 110 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 25 * t))
    return write_clip(path, frames, purr.astype(np.float32))


def faceless_clip(path: Path, phrase: str = "seven four nine") -> Path:
    """Four seconds of coffee beans (no face), with someone speaking."""
    from skimage import data

    beans = cv2.resize(data.coffee(), (WIDTH, HEIGHT))
    frames = [np.roll(beans, i, axis=1) for i in range(4 * FPS)]
    return write_clip(path, frames, spoken(phrase, 4.0))
