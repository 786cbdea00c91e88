"""Reading frames out of a video and writing a re-encoded copy with PyAV, keeping the
sound track as it is.

Two ways through a video: as RGB pictures (``iter_frames`` / ``write_video``), the
simple way for any change to a picture, and as the planes the file already holds
(``iter_yuv_frames`` / ``transform_video_yuv``), which skips two colour conversions per
frame and is what marking every rendered video uses.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

import av
import numpy as np

from kinema.errors import InvalidInput

# transform(frame_yuv420p, seconds_from_start) -> frame_yuv420p of the same shape; the
# planar layout of ``VideoFrame.to_ndarray(format="yuv420p")``: (H * 3 // 2, W) uint8,
# the luma rows first, then the two half-size chroma planes.
PlanarTransform = Callable[[np.ndarray, float], np.ndarray]

# The encoder settings for the marked copy of a rendered video. That copy is made once
# per video in the worker, right after rendering, so it must cost a fraction of the
# render: x264's quickest analysis, with arithmetic coding, the deblocking filter and
# two B-frames put back (each costs little and saves a good part of the file), at a
# quality where the picture and both marks come through intact. Without lookahead or
# macroblock tree the same frames always give the same bitstream.
# tests/bench/provenance_speed.py measures the cost; tests/bench/provenance_robustness.py
# what the marks survive.
MARKED_X264_OPTIONS: dict[str, str] = {
    "preset": "ultrafast",
    "crf": "23",
    "x264-params": "cabac=1:deblock=0,0:bframes=2",
}
# How many decoded frames may wait for the marking step (bounded, so a long video never
# sits in memory at once).
_PREFETCH_FRAMES = 6
_T = TypeVar("_T")


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise InvalidInput("That file is not a video Kinema can read.") from exc


def _iter_decoded(
    path: Path, every: float, *, skip_unreferenced: bool = False
) -> Iterator[tuple[float, av.VideoFrame]]:
    """``(seconds from the first frame, frame)`` for the first video stream, optionally
    thinned to the first frame at or after each multiple of ``every`` seconds. With
    ``skip_unreferenced`` the decoder skips frames no other frame refers to."""
    with _open(Path(path)) as container:
        if not container.streams.video:
            raise InvalidInput("That file has no pictures in it.")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if skip_unreferenced:
            stream.codec_context.skip_frame = "NONREF"
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
                yield seconds, frame
        except av.error.FFmpegError as exc:
            raise InvalidInput("That video is damaged and could not be read.") from exc


def iter_frames(path: Path, *, every: float = 0.0) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(seconds, rgb_frame)`` for each frame of the first video stream.

    With ``every`` > 0 only the first frame at or after each multiple of ``every`` seconds
    is yielded (a cheap, regular sample for fingerprints and checks).
    """
    for seconds, frame in _iter_decoded(path, every):
        yield seconds, frame.to_ndarray(format="rgb24")


def iter_small_frames(
    path: Path, size: int, *, every: float = 0.0, skip_unreferenced: bool = False
) -> Iterator[tuple[float, np.ndarray]]:
    """Like ``iter_frames``, with each frame shrunk (area-averaged) to ``size`` x ``size``
    RGB in the same step as its colours are converted: a cheap look at many frames.

    ``skip_unreferenced`` leaves out the frames no other frame refers to (most
    B-frames), which the decoder then need not decode at all; the sample for an instant
    is then the next frame that is decoded.
    """
    for seconds, frame in _iter_decoded(path, every, skip_unreferenced=skip_unreferenced):
        small = frame.reformat(width=size, height=size, format="rgb24", interpolation="AREA")
        yield seconds, small.to_ndarray()


def _is_full_range(frame: av.VideoFrame) -> bool:
    # Phone cameras and JPEG-derived videos use the full 0-255 range ("yuvj" formats).
    return frame.format.name.startswith("yuvj") or frame.color_range == 2


def iter_luma(path: Path, *, every: float = 0.0) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(seconds, luma)`` for each frame (or one per ``every`` seconds, as in
    ``iter_frames``): the brightness as float32 on the 0-255 scale of an RGB picture's
    grey level, read from the file's luma plane without converting colours."""
    for seconds, frame in _iter_decoded(path, every):
        if frame.format.name not in ("yuv420p", "yuvj420p"):
            frame = frame.reformat(format="yuv420p")
        luma = np.asarray(frame.planes[0], dtype=np.uint8).reshape(
            frame.height, frame.planes[0].line_size
        )[:, : frame.width]
        if _is_full_range(frame):
            yield seconds, luma.astype(np.float32)
        else:
            yield seconds, luma_from_limited_range(luma)


def luma_from_limited_range(y: np.ndarray) -> np.ndarray:
    """Video-range luma (16-235) as float32 grey levels on the 0-255 RGB scale."""
    return (y.astype(np.float32) - 16.0) * np.float32(255.0 / 219.0)


def iter_yuv_frames(path: Path) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(seconds, yuv420p_frame)`` for each frame: planar video-range YUV 4:2:0 as
    in ``PlanarTransform`` (the planes H.264 files hold, so usually no conversion)."""
    for seconds, frame in _iter_decoded(path, 0.0):
        yield seconds, frame.to_ndarray(format="yuv420p")


def _prefetched(
    items: Iterator[_T], *, name: str, depth: int = _PREFETCH_FRAMES
) -> Generator[_T, None, None]:
    """Run ``items`` in a background thread, up to ``depth`` ahead of the consumer, so
    the stages of a re-encode (decoding, changing frames, encoding; each spends most of
    its time in native code that releases the GIL) run on all cores at once. An error
    in ``items`` is raised in the consumer; closing the consumer stops the thread."""
    ready: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(("end", None))
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put(("error", exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # in this thread, the one that was iterating it

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            kind, value = ready.get()
            if kind == "end":
                return
            if kind == "error":
                assert isinstance(value, BaseException)
                raise value
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        # Unblock a producer waiting on a full queue, then let it finish.
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        worker.join()


def frame_rate(path: Path) -> Fraction:
    """The average frame rate of the first video stream (24 if the file does not say)."""
    with _open(Path(path)) as container:
        if not container.streams.video:
            raise InvalidInput("That file has no pictures in it.")
        rate = container.streams.video[0].average_rate
        return Fraction(rate) if rate else Fraction(24)


def _encode(
    pictures: Iterable[av.VideoFrame],
    output: Path,
    *,
    fps: Fraction | int,
    audio_from: Path | None,
    options: dict[str, str] | None,
    bitrate: int | None = None,
) -> Path:
    """Encode ``pictures`` as H.264 (yuv420p) into a faststart MP4 and copy the sound
    track of ``audio_from``. A failure leaves no half-written file behind."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    rate = Fraction(fps)
    iterator = iter(pictures)
    first = next(iterator, None)
    if first is None:
        raise InvalidInput("That video has no frames.")
    source = av.open(str(audio_from)) if audio_from is not None else None
    try:
        with av.open(str(output), "w", options={"movflags": "+faststart"}) as out:
            video = out.add_stream("libx264", rate=rate)
            # The size must be known before the encoder options are set.
            video.height, video.width = first.height, first.width
            video.pix_fmt = "yuv420p"
            if bitrate is not None:
                video.bit_rate = bitrate
            else:
                video.options = dict(options or {})
            audio_in = source.streams.audio[0] if source and source.streams.audio else None
            audio_out = out.add_stream_from_template(audio_in) if audio_in else None
            time_base = Fraction(1, 1) / rate
            for index, picture in enumerate(itertools.chain([first], iterator)):
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
    except BaseException:
        output.unlink(missing_ok=True)
        raise
    finally:
        if source is not None:
            source.close()
    return output


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
    pictures = (
        av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24") for rgb in frames
    )
    return _encode(
        pictures,
        output,
        fps=fps,
        audio_from=audio_from,
        options={"crf": str(crf), "preset": "veryfast"},
        bitrate=bitrate,
    )


def transform_video_yuv(
    source: Path,
    output: Path,
    transform: PlanarTransform,
    *,
    x264_options: dict[str, str] | None = None,
) -> Path:
    """Re-encode ``source`` into ``output`` passing every frame, as planar yuv420p (see
    ``PlanarTransform``), through ``transform``; size, frame rate and the sound track
    stay as they were. Decoding, ``transform`` and encoding overlap on three threads.

    The picture must have an even width and height (as every H.264 4:2:0 video has).
    """
    source = Path(source)
    with _open(source) as container:
        if not container.streams.video:
            raise InvalidInput("That file has no pictures in it.")
        context = container.streams.video[0].codec_context
        if context.width % 2 or context.height % 2:
            # H.264 in 4:2:0, what every browser plays, needs an even width and height.
            raise InvalidInput("Only videos with an even width and height can be changed.")
    rate = frame_rate(source)
    options = dict(MARKED_X264_OPTIONS if x264_options is None else x264_options)

    def changed() -> Iterator[av.VideoFrame]:
        decoded = _prefetched(iter_yuv_frames(source), name="kinema-decode")
        try:
            for seconds, planes in decoded:
                yield av.VideoFrame.from_ndarray(transform(planes, seconds), format="yuv420p")
        finally:
            decoded.close()

    # Three stages on three threads: decode -> transform -> encode (this thread).
    pictures = _prefetched(changed(), name="kinema-transform")
    try:
        return _encode(pictures, output, fps=rate, audio_from=source, options=options)
    finally:
        pictures.close()
