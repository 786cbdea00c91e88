"""Reading frames out of a video and writing a re-encoded copy with PyAV, keeping the
sound track as it is."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from kinema.errors import InvalidInput

# transform(frame_rgb, seconds_from_start) -> frame_rgb of the same shape
FrameTransform = Callable[[np.ndarray, float], np.ndarray]


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise InvalidInput("That file is not a video Kinema can read.") from exc


def iter_frames(path: Path, *, every: float = 0.0) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(seconds, rgb_frame)`` for each frame of the first video stream.

    With ``every`` > 0 only the first frame at or after each multiple of ``every`` seconds
    is yielded (a cheap, regular sample for fingerprints and checks).
    """
    with _open(Path(path)) as container:
        if not container.streams.video:
            raise InvalidInput("That file has no pictures in it.")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start: float | None = None
        next_time = 0.0
        try:
            for frame in container.decode(stream):
                if frame.pts is None or frame.time_base is None:
                    continue
                seconds = float(frame.pts * frame.time_base)
                if start is None:
                    start = seconds
                seconds -= start
                if every > 0:
                    if seconds + 1e-6 < next_time:
                        continue
                    next_time = (int((seconds + 1e-6) / every) + 1) * every
                yield seconds, frame.to_ndarray(format="rgb24")
        except av.error.FFmpegError as exc:
            raise InvalidInput("That video is damaged and could not be read.") from exc


def frame_rate(path: Path) -> Fraction:
    """The average frame rate of the first video stream (24 if the file does not say)."""
    with _open(Path(path)) as container:
        rate = container.streams.video[0].average_rate
        return Fraction(rate) if rate else Fraction(24)


def write_video(
    frames: Iterable[np.ndarray],
    output: Path,
    *,
    fps: Fraction | int,
    audio_from: Path | None = None,
    crf: int = 20,
    bitrate: int | None = None,
) -> Path:
    """Encode RGB frames as H.264 (yuv420p) in a progressive MP4 with the index up front
    ("faststart"); copy the sound track of ``audio_from`` unchanged when given.

    ``bitrate`` (bits/s) replaces the constant-quality ``crf`` when set.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    rate = Fraction(fps)
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        raise InvalidInput("That video has no frames.")
    source = av.open(str(audio_from)) if audio_from is not None else None
    try:
        with av.open(str(output), "w", options={"movflags": "+faststart"}) as out:
            video = out.add_stream("libx264", rate=rate)
            # The size must be known before the encoder options are set.
            video.height, video.width = first.shape[0], first.shape[1]
            video.pix_fmt = "yuv420p"
            if bitrate is not None:
                video.bit_rate = bitrate
            else:
                video.options = {"crf": str(crf), "preset": "veryfast"}
            audio_in = source.streams.audio[0] if source and source.streams.audio else None
            audio_out = out.add_stream_from_template(audio_in) if audio_in else None
            time_base = Fraction(1, 1) / rate
            for index, rgb in enumerate(itertools.chain([first], iterator)):
                picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
                picture.pts = index
                picture.time_base = time_base
                out.mux(video.encode(picture))
            out.mux(video.encode(None))
            if source is not None and audio_in is not None and audio_out is not None:
                for packet in source.demux(audio_in):
                    if packet.dts is None:
                        continue
                    packet.stream = audio_out
                    out.mux(packet)
    finally:
        if source is not None:
            source.close()
    return output


def transform_video(
    source: Path, output: Path, transform: FrameTransform, *, crf: int = 18
) -> Path:
    """Re-encode ``source`` into ``output`` passing every frame through ``transform``;
    size, frame rate and the sound track stay as they were."""
    frames = (transform(rgb, seconds) for seconds, rgb in iter_frames(source))
    return write_video(frames, output, fps=frame_rate(source), audio_from=source, crf=crf)
