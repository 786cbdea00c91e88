"""Short synthetic clips with sound (NumPy + PyAV) for provenance tests and benchmarks:
each seed gives a different scene (colours, shapes, motion) and a different tune."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

AUDIO_RATE = 22050


def _frames(seed: int, seconds: float, width: int, height: int, fps: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    sky_top, sky_bottom = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    gradient = (yy / height)[:, :, None]
    background = sky_top * (1 - gradient) + sky_bottom * gradient
    texture = rng.uniform(-25, 25, (height // 8 + 1, width // 8 + 1, 3))
    background += np.kron(texture, np.ones((8, 8, 1)))[:height, :width]
    shapes = [
        (
            rng.uniform(0.1, 0.9, 2),
            rng.uniform(-0.3, 0.3, 2),
            rng.uniform(0.05, 0.2),
            rng.uniform(0, 255, 3),
        )
        for _ in range(int(rng.integers(2, 5)))
    ]
    frames = []
    for index in range(round(seconds * fps)):
        t = index / fps
        frame = background.copy()
        for (x0, y0), (vx, vy), radius, colour in shapes:
            cx = ((x0 + vx * t) % 1.0) * width
            cy = ((y0 + vy * t) % 1.0) * height
            inside = (xx - cx) ** 2 + (yy - cy) ** 2 < (radius * width) ** 2
            frame[inside] = colour
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    return frames


def _tune(seed: int, seconds: float) -> np.ndarray:
    rng = np.random.default_rng(seed + 1000)
    t = np.arange(round(seconds * AUDIO_RATE)) / AUDIO_RATE
    note_length = rng.uniform(0.15, 0.4)
    notes = rng.integers(48, 84, int(seconds / note_length) + 2)
    pitch = 440.0 * 2 ** ((notes[(t / note_length).astype(int)] - 69) / 12)
    phase = 2 * np.pi * np.cumsum(pitch) / AUDIO_RATE
    tone = np.sin(phase) + 0.4 * np.sin(2 * phase) + 0.05 * rng.standard_normal(len(t))
    return (0.3 * tone / np.abs(tone).max()).astype(np.float32)


def make_clip(
    path: Path,
    seed: int,
    *,
    seconds: float = 3.0,
    width: int = 160,
    height: int = 288,
    fps: int = 24,
) -> Path:
    """Write an H.264 + AAC MP4 with a moving scene and a tune, both chosen by ``seed``."""
    frames = _frames(seed, seconds, width, height, fps)
    audio = _tune(seed, seconds)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.height, video.width = height, width
        video.pix_fmt = "yuv420p"
        video.options = {"crf": "18", "preset": "veryfast"}
        sound = out.add_stream("aac", rate=AUDIO_RATE)
        sound.layout = "mono"
        for index, rgb in enumerate(frames):
            picture = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            picture.pts = index
            picture.time_base = Fraction(1, fps)
            out.mux(video.encode(picture))
        out.mux(video.encode(None))
        for start in range(0, len(audio), 1024):
            chunk = audio[start : start + 1024]
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
            frame.sample_rate = AUDIO_RATE
            frame.pts = start
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    return path


def reencode(
    source: Path,
    output: Path,
    *,
    scale: float = 1.0,
    start: float = 0.0,
    end: float | None = None,
    video_bitrate: int | None = None,
    audio_bitrate: int = 96_000,
) -> Path:
    """What a re-uploader does to a video: re-encode (optionally at a lower bitrate),
    rescale and cut an excerpt, sound included."""
    with av.open(str(source)) as src, av.open(str(output), "w") as out:
        vin = src.streams.video[0]
        ain = src.streams.audio[0] if src.streams.audio else None
        rate = vin.average_rate or Fraction(24)
        width = int(vin.codec_context.width * scale) // 2 * 2
        height = int(vin.codec_context.height * scale) // 2 * 2
        vout = out.add_stream("libx264", rate=rate)
        vout.height, vout.width = height, width
        vout.pix_fmt = "yuv420p"
        if video_bitrate:
            vout.bit_rate = video_bitrate
        else:
            vout.options = {"crf": "23", "preset": "veryfast"}
        aout = None
        if ain is not None:
            aout = out.add_stream("aac", rate=ain.codec_context.sample_rate)
            aout.layout = ain.codec_context.layout.name
            aout.bit_rate = audio_bitrate
        index = 0
        for frame in src.decode(vin):
            t = float(frame.pts * frame.time_base)
            if t < start or (end is not None and t >= end):
                continue
            rgb = frame.to_ndarray(format="rgb24")
            picture = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(width, height)
            picture.pts = index
            picture.time_base = 1 / Fraction(rate)
            out.mux(vout.encode(picture))
            index += 1
        out.mux(vout.encode(None))
        if ain is not None and aout is not None:
            src.seek(0)
            resampler = av.AudioResampler(format="fltp", layout=aout.layout, rate=aout.rate)
            written = 0
            for frame in src.decode(ain):
                t = float(frame.pts * frame.time_base)
                data = frame.to_ndarray()
                first = max(0, round((start - t) * frame.sample_rate))
                last = data.shape[1]
                if end is not None:
                    last = min(last, round((end - t) * frame.sample_rate))
                if last <= first:
                    continue
                piece = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(data[:, first:last]),
                    format=frame.format.name,
                    layout=frame.layout.name,
                )
                piece.sample_rate = frame.sample_rate
                for chunk in resampler.resample(piece):
                    chunk.pts = written
                    written += chunk.samples
                    out.mux(aout.encode(chunk))
            out.mux(aout.encode(None))
    return output


def video_bitrate(path: Path) -> float:
    """Bits per second of the picture stream alone."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        size = sum(packet.size for packet in container.demux(stream) if packet.size)
        frames = stream.frames or 1
        rate = float(stream.average_rate or 24)
    return size * 8 * rate / frames
