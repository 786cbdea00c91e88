"""Reading facts back out of a video with PyAV, safely for files from users.

``open_video`` is the one door for a video someone uploaded: it refuses playlists and
other text disguised as media before FFmpeg sees them (an HLS or ffconcat file would
make FFmpeg open the files or addresses it lists), reads metadata in any encoding, and
only accepts ordinary video containers. Every way a malformed file can fail comes out as
``UnreadableMedia`` (400), never as a crash.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import av
import av.container

from kinema.errors import InvalidInput
from kinema.media.decoding import refuse_oversized

# What PyAV raises on malformed input: FFmpeg's errors, metadata that is not UTF-8,
# streams without a codec context, and arithmetic on nonsense headers.
MEDIA_FAILURES: tuple[type[BaseException], ...] = (
    av.error.FFmpegError,
    UnicodeDecodeError,
    AttributeError,
    IndexError,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    EOFError,
    OverflowError,
    ZeroDivisionError,
    struct.error,
)

# FFmpeg demuxer names of the containers people record and export video in.
VIDEO_CONTAINERS = frozenset(
    {
        "mov,mp4,m4a,3gp,3g2,mj2",
        "matroska,webm",
        "avi",
        "mpegts",
        "mpeg",
        "flv",
        "ogg",
    }
)
# Text formats FFmpeg would follow to other files or addresses.
_PLAYLIST_MARKERS = (b"#EXTM3U", b"#EXT-X-", b"ffconcat", b"<?xml", b"<MPD", b"[playlist]")
_SNIFF_BYTES = 4096


class UnreadableMedia(InvalidInput):
    """A file that is not a video Kinema can read."""

    code = "unreadable_media"


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    fps: float
    seconds: float
    has_audio: bool


def _unreadable(why: str = "") -> UnreadableMedia:
    return UnreadableMedia(f"The file could not be read as a video{why}.")


def refuse_playlists(path: Path) -> None:
    """``UnreadableMedia`` for playlists (HLS, ffconcat, DASH) and other plain text."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        raise UnreadableMedia("The file is empty.")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(start.startswith(marker.lower()) for marker in _PLAYLIST_MARKERS):
        raise _unreadable(": playlists and lists of files are not accepted")
    if b"\x00" not in head and all(byte >= 0x20 or byte in b"\t\r\n" for byte in head):
        raise _unreadable(": it is plain text")


def open_video(path: Path) -> av.container.InputContainer:
    """Open an uploaded video for reading (close it, or use it in ``with``)."""
    refuse_playlists(path)
    try:
        container = av.open(str(path), metadata_errors="replace")
    except MEDIA_FAILURES:
        raise _unreadable() from None
    if not isinstance(container, av.container.InputContainer):
        container.close()
        raise _unreadable()
    if container.format.name not in VIDEO_CONTAINERS:
        container.close()
        raise _unreadable("; send an MP4, MOV, WebM, MKV, AVI or TS file")
    return container


def probe_video(path: Path) -> VideoFacts:
    """Width, height, frame rate, duration and whether there is a sound track.
    ``UnreadableMedia`` (400) for anything that is not a readable video."""
    try:
        with open_video(Path(path)) as container:
            if not container.streams.video:
                raise UnreadableMedia("The file has no pictures in it.")
            stream = container.streams.video[0]
            context = getattr(stream, "codec_context", None)
            if context is None:
                raise UnreadableMedia("The file's video track cannot be decoded.")
            rate = stream.average_rate or stream.guessed_rate or 0
            if container.duration is not None:
                seconds = container.duration / 1_000_000
            elif stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = 0.0
            return VideoFacts(
                width=int(context.width),
                height=int(context.height),
                fps=float(rate),
                seconds=max(0.0, float(seconds)),
                has_audio=bool(container.streams.audio),
            )
    except UnreadableMedia:
        raise
    except MEDIA_FAILURES:
        raise _unreadable() from None


def check_video_upload(path: Path, *, max_pixels: int) -> VideoFacts:
    """Probe an uploaded video and refuse it (413) when its pictures are larger than
    ``max_pixels``, before any frame is decoded."""
    facts = probe_video(path)
    refuse_oversized(facts.width, facts.height, max_pixels, what="video")
    return facts
