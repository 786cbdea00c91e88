"""Frames and sound in and out of the GPU engines: fitting images, reading a parent
video, retiming, resampling audio and writing the final MP4 (H.264 + AAC)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from kinema.engines.base import InvalidRequest

SAMPLE_RATE = 48000


def fit_image(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale and centre-crop ``image`` to exactly ``width`` x ``height`` without
    distortion (the input image becomes the first frame)."""
    image = ImageOps.exif_transpose(image).convert("RGB")
    return ImageOps.fit(image, (width, height), method=Image.Resampling.LANCZOS)


def load_image(path: Path, width: int, height: int) -> Image.Image:
    """Open an input image and fit it to the frame; unreadable files raise
    ``InvalidRequest``."""
    try:
        with Image.open(path) as image:
            image.load()
            return fit_image(image, width, height)
    except (OSError, UnidentifiedImageError) as exc:
        raise InvalidRequest(f"The image {path.name} could not be read: {exc}.") from exc


def load_cutout(path: Path) -> Image.Image:
    """A character's picture as RGBA, transparent around them; unreadable files raise
    ``InvalidRequest``."""
    try:
        with Image.open(path) as image:
            return ImageOps.exif_transpose(image).convert("RGBA")
    except (OSError, UnidentifiedImageError) as exc:
        raise InvalidRequest(f"The character picture {path.name} could not be read.") from exc


def on_white(cutout: Image.Image, width: int, height: int) -> Image.Image:
    """A character's RGBA cutout placed on a plain white canvas of the frame size, the
    way reference-image models expect it."""
    cutout = cutout.copy()
    cutout.thumbnail((width, height), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    canvas.paste(cutout, ((width - cutout.width) // 2, (height - cutout.height) // 2), cutout)
    return canvas


def with_cast(
    scene: Image.Image, cast: Sequence[Image.Image], height_share: float = 0.8
) -> Image.Image:
    """``scene`` with the characters' RGBA cutouts standing side by side on its bottom
    edge, in the order given: each gets an equal share of the width and at most
    ``height_share`` of the height, scaled up or down to fill it. Head-and-shoulders
    cutouts end at the shoulders, so they stand on the edge rather than float."""
    picture = scene.convert("RGB")
    width, height = picture.size
    if not cast:
        return picture
    column = width / len(cast)
    for place, cutout in enumerate(cast):
        scale = min(column / cutout.width, height_share * height / cutout.height)
        size = (max(1, round(cutout.width * scale)), max(1, round(cutout.height * scale)))
        fitted = cutout.resize(size, Image.Resampling.LANCZOS)
        left = round(column * place + (column - fitted.width) / 2)
        picture.paste(fitted, (left, height - fitted.height), fitted)
    return picture


def read_video(path: Path) -> tuple[list[Image.Image], float]:
    """All frames of a video as RGB images, and its frame rate."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = float(stream.average_rate or stream.guessed_rate or 24)
            frames = [frame.to_image() for frame in container.decode(stream)]
    except (av.FFmpegError, IndexError, OSError) as exc:
        raise InvalidRequest(f"The parent video {path.name} could not be read.") from exc
    if not frames:
        raise InvalidRequest(f"The parent video {path.name} has no frames.")
    return frames, rate


def read_audio(path: Path) -> np.ndarray:
    """The audio of a video as (samples, 2) float32 at 48 kHz; empty if it has none."""
    chunks = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                return np.zeros((0, 2), np.float32)
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
    except (av.FFmpegError, OSError) as exc:
        raise InvalidRequest(f"The parent video {path.name} could not be read.") from exc
    if not chunks:
        return np.zeros((0, 2), np.float32)
    return np.concatenate(chunks, axis=1).T.astype(np.float32)


def retime(
    frames: Sequence[Image.Image], source_fps: float, fps: float, count: int
) -> list[Image.Image]:
    """``count`` frames at ``fps`` taken from ``frames`` played at ``source_fps``
    (nearest frame; repeats the last one if the source is short)."""
    last = len(frames) - 1
    return [frames[min(last, round(i * source_fps / fps))] for i in range(count)]


def resize_frames(frames: Sequence[Image.Image], width: int, height: int) -> list[Image.Image]:
    """Frames fitted to exactly ``width`` x ``height`` (no-op when they already are)."""
    return [
        f if f.size == (width, height) else fit_image(f, width, height) for f in frames
    ]


def to_pixels(frames: np.ndarray) -> np.ndarray:
    """Frames (n, H, W, 3) as floats in 0..1 -> uint8 pixels."""
    return np.clip(np.nan_to_num(frames) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def fit_audio(samples: np.ndarray, sample_rate: int, seconds: float) -> np.ndarray:
    """Any (channels, n) or (n,) waveform -> (round(seconds*48k), 2) float32, resampled,
    trimmed or padded with silence, and kept below clipping."""
    from scipy.signal import resample_poly

    data = np.asarray(samples, dtype=np.float64)
    if data.ndim == 1:
        data = data[None, :]
    if data.shape[0] > data.shape[1] and data.shape[1] <= 2:
        data = data.T  # (n, channels) -> (channels, n)
    if data.shape[0] == 1:
        data = np.repeat(data, 2, axis=0)
    data = data[:2]
    if sample_rate != SAMPLE_RATE and data.shape[1] > 0:
        factor = Fraction(SAMPLE_RATE, int(sample_rate)).limit_denominator(1000)
        data = resample_poly(data, factor.numerator, factor.denominator, axis=1)
    wanted = round(seconds * SAMPLE_RATE)
    out = np.zeros((2, wanted))
    used = min(wanted, data.shape[1])
    out[:, :used] = data[:, :used]
    out = np.nan_to_num(out)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > 0.98:
        out *= 0.98 / peak
    return out.T.astype(np.float32)


def write_mp4(
    path: Path,
    frames: Sequence[Image.Image],
    fps: int,
    audio: np.ndarray,
    metadata: dict[str, str] | None = None,
) -> None:
    """Encode frames (H.264, yuv420p) and a (n, 2) 48 kHz soundtrack (AAC) into an MP4
    that starts playing before it has fully downloaded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = frames[0].size
    partial = path.with_name(path.name + ".part")
    with av.open(str(partial), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height = width, height
        video.pix_fmt = "yuv420p"
        video.options = {"crf": "18", "preset": "veryfast"}
        sound = out.add_stream("aac", rate=SAMPLE_RATE)
        sound.layout = "stereo"
        for image in frames:
            frame = av.VideoFrame.from_image(image)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        block = 1024
        planar = np.ascontiguousarray(audio.T.astype(np.float32))
        for start in range(0, planar.shape[1], block):
            chunk = np.ascontiguousarray(planar[:, start : start + block])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = start
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    partial.replace(path)


def write_thumbnail(path: Path, frames: Sequence[Image.Image]) -> Path:
    """A JPEG poster frame taken a third of the way in; returns its path."""
    thumbnail = path.with_suffix(".jpg")
    frames[min(len(frames) - 1, len(frames) // 3)].save(thumbnail, "JPEG", quality=88)
    return thumbnail


def frames_for(seconds: float, fps: float) -> int:
    """How many frames ``seconds`` of video at ``fps`` takes."""
    return max(1, round(seconds * fps))


def round_up_frames(count: int, temporal: int) -> int:
    """The smallest ``k * temporal + 1`` frame count that is at least ``count``."""
    return max(1, math.ceil(max(count - 1, 0) / temporal)) * temporal + 1
