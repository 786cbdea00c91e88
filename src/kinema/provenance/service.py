"""Provenance operations: marking, signing and fingerprinting every rendered video, and
answering "did this file come from here?".

``apply_provenance`` runs in the worker after the engine returns and before the video is
stored: one re-encode pass draws the moving ``@handle`` watermark and hides the video id
in the pictures, then the progressive MP4 is signed with the instance's C2PA key and
fingerprinted. ``record_fingerprint`` keeps the fingerprint with the video;
``check_file`` looks a file up among them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.accounts.models import User
from kinema.errors import InvalidInput, KinemaError, NotFound, TooLarge
from kinema.media.decoding import (
    PILLOW_FAILURES,
    heavy_decode,
    image_header,
    not_an_image,
    refuse_oversized,
)
from kinema.media.probe import MEDIA_FAILURES, UnreadableMedia, probe_video
from kinema.provenance.fingerprint import (
    FRAME_DISTANCE,
    MATCH_THRESHOLD,
    MIN_FRAME_QUALITY,
    Fingerprint,
    fingerprint_image,
    fingerprint_video,
    match,
)
from kinema.provenance.invisible import read_video_id
from kinema.provenance.marks import apply_provenance_marks
from kinema.provenance.models import VideoFingerprint
from kinema.provenance.signing import ensure_signing_identity, read_credentials, sign_video
from kinema.provenance.video import iter_frames
from kinema.settings import Settings

SIGNING_DIR = Path("keys") / "c2pa"
# A copy can be a little longer than what it was cut from (padding, a re-muxed tail);
# anything longer than this cannot be an excerpt of a known video.
LENGTH_SLACK_SECONDS = 1.0
# Up to this many stored videos a file is compared with every one of them (about a
# millisecond each); beyond it, a picture index shortlists the videos that share frames
# with the file and only those are compared in full.
FULL_SCAN_LIMIT = 2000
# Share of the file's distinct frames a video must have for the shortlist.
SHORTLIST_SCORE = 0.2
MAX_CHECK_SECONDS = 600
MAX_CHECK_PIXELS = 3840 * 2160
# Pictures are checked up to 16 MP (4096 x 4096), refused from their header beyond it.
MAX_CHECK_IMAGE_PIXELS = 4096 * 4096
# The poster is the frame a third of the way in, where the engines take theirs: past any
# fade-in, early enough to show the subject.
POSTER_FRACTION = 1 / 3
POSTER_JPEG_QUALITY = 85
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def signing_dir(settings: Settings) -> Path:
    """Where the instance's C2PA signing key and certificate chain are kept."""
    return settings.data_dir / SIGNING_DIR


@dataclass(frozen=True)
class ProvenanceResult:
    """A marked and signed video ready to store, with its poster (a JPEG frame of the
    marked video, so the still carries the watermark too) and its fingerprint."""

    video_path: Path
    poster_path: Path
    fingerprint: Fingerprint
    seconds_spent: float


def apply_provenance(
    settings: Settings,
    source: Path,
    scratch: Path,
    *,
    video_id: str,
    author_handle: str,
) -> ProvenanceResult:
    """Mark (visible moving watermark with ``@author_handle`` + invisible ``video_id``,
    one re-encode), sign (C2PA: created by a trained algorithm with Kinema, by the
    author) and fingerprint the rendered MP4 ``source``; files go under ``scratch``."""
    started = time.perf_counter()
    scratch.mkdir(parents=True, exist_ok=True)
    marked = apply_provenance_marks(
        Path(source), scratch / f"{video_id}.marked.mp4", handle=author_handle, video_id=video_id
    )
    signed = sign_video(
        marked,
        scratch / f"{video_id}.mp4",
        author_handle=author_handle,
        key_dir=signing_dir(settings),
        title=f"Kinema video {video_id}",
    )
    marked.unlink(missing_ok=True)
    poster = write_poster(signed, scratch / f"{video_id}.jpg")
    fingerprint = fingerprint_video(signed, label=video_id)
    return ProvenanceResult(
        video_path=signed,
        poster_path=poster,
        fingerprint=fingerprint,
        seconds_spent=time.perf_counter() - started,
    )


def poster_frame_index(video: Path) -> int:
    """Index of the poster frame of ``video``: the frame ``POSTER_FRACTION`` of the way in."""
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            total = int(stream.frames or 0)
            if total <= 0 and stream.duration and stream.time_base and stream.average_rate:
                total = int(float(stream.duration * stream.time_base * stream.average_rate))
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise InvalidInput("That file is not a video Kinema can read.") from exc
    return max(0, min(total - 1, int(total * POSTER_FRACTION)))


def write_poster(video: Path, output: Path) -> Path:
    """Save the poster frame of ``video`` as a JPEG at ``output``. Taken from the marked
    video, the poster shows the watermark exactly as the video does at that moment."""
    target = poster_frame_index(video)
    picture: np.ndarray | None = None
    for index, (_seconds, frame) in enumerate(iter_frames(video)):
        picture = frame
        if index >= target:
            break
    if picture is None:
        raise InvalidInput("That video has no pictures in it.")
    output.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(picture).save(output, "JPEG", quality=POSTER_JPEG_QUALITY)
    return output


def record_fingerprint(session: Session, video_id: str, fingerprint: Fingerprint) -> None:
    """Keep a video's fingerprint for reverse lookup."""
    session.merge(
        VideoFingerprint(
            video_id=video_id, seconds=float(fingerprint.seconds), data=fingerprint.to_dict()
        )
    )
    session.flush()


# Parsed fingerprints by video id: they never change once stored, so each process parses
# each one once.
_parsed: dict[str, Fingerprint] = {}
_parsed_lock = threading.Lock()


def _known_fingerprints(session: Session, candidate: Fingerprint) -> list[Fingerprint]:
    """Every stored fingerprint the candidate could have come from: videos too short to
    contain it are left out."""
    query = select(VideoFingerprint.video_id)
    if candidate.kind == "video":
        query = query.where(VideoFingerprint.seconds >= candidate.seconds - LENGTH_SLACK_SECONDS)
    ids = sorted(session.scalars(query))
    with _parsed_lock:
        missing = [video_id for video_id in ids if video_id not in _parsed]
    if missing:
        rows = session.execute(
            select(VideoFingerprint.video_id, VideoFingerprint.data).where(
                VideoFingerprint.video_id.in_(missing)
            )
        ).all()
        with _parsed_lock:
            for video_id, data in rows:
                fingerprint = Fingerprint.from_dict(data)
                fingerprint.label = video_id
                _parsed[video_id] = fingerprint
    with _parsed_lock:
        return [_parsed[video_id] for video_id in ids if video_id in _parsed]


_POPCOUNT = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint16)


@dataclass(frozen=True)
class _FrameIndex:
    """Every distinct stored frame hash, packed 32 bytes each, with the position of the
    video it belongs to."""

    ids: tuple[str, ...]
    packed: np.ndarray
    owner: np.ndarray


_frame_index: _FrameIndex | None = None


def _index_for(known: list[Fingerprint]) -> _FrameIndex:
    global _frame_index
    ids = tuple(item.label for item in known)
    index = _frame_index
    if index is not None and index.ids == ids:
        return index
    hashes, owners = [], []
    for position, item in enumerate(known):
        usable = item.frame_hashes[item.frame_quality >= MIN_FRAME_QUALITY]
        hashes.append(np.packbits(usable.astype(bool), axis=1))
        owners.append(np.full(len(usable), position, dtype=np.int32))
    index = _FrameIndex(
        ids=ids,
        packed=np.concatenate(hashes) if hashes else np.zeros((0, 32), np.uint8),
        owner=np.concatenate(owners) if owners else np.zeros(0, np.int32),
    )
    _frame_index = index
    return index


def _shortlist(candidate: Fingerprint, known: list[Fingerprint]) -> list[Fingerprint]:
    """The stored videos worth comparing in full: all of them while there are few, else
    those that contain at least ``SHORTLIST_SCORE`` of the file's distinct frames."""
    usable = candidate.frame_hashes[candidate.frame_quality >= MIN_FRAME_QUALITY]
    if len(known) <= FULL_SCAN_LIMIT or len(usable) == 0:
        return known
    index = _index_for(known)
    hits = np.zeros(len(known), dtype=np.int32)
    for frame in np.packbits(usable.astype(bool), axis=1):
        distances = _POPCOUNT[np.bitwise_xor(index.packed, frame)].sum(axis=1)
        hits[np.unique(index.owner[distances <= FRAME_DISTANCE])] += 1
    keep = np.flatnonzero(hits >= SHORTLIST_SCORE * len(usable))
    return [known[position] for position in keep]


@dataclass(frozen=True)
class ProvenanceCheck:
    """The answer to "did this come from here?". ``video_id`` is None when there is no
    match or when the caller may not see the video it came from."""

    match: bool
    video_id: str | None
    similarity: float
    kind: str  # "video" | "image"
    signed_here: bool  # carries a valid C2PA manifest signed by this instance
    marked_video_id_found: bool  # the invisible mark named a video of this instance


def _is_image(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(16)
    return head.startswith(_IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _check_length(path: Path) -> None:
    """Refuse videos too long or too large to compare in reasonable time, from their
    stream info alone (nothing is decoded yet)."""
    try:
        facts = probe_video(path)
    except UnreadableMedia:
        raise InvalidInput("That file is not a video or picture Kinema can read.") from None
    if facts.seconds > MAX_CHECK_SECONDS:
        raise InvalidInput(
            f"That video is {facts.seconds / 60:.0f} minutes long; Kinema checks videos of up "
            f"to {MAX_CHECK_SECONDS // 60} minutes. Cut the part you want to check."
        )
    if facts.width * facts.height > MAX_CHECK_PIXELS:
        raise TooLarge("That video is larger than 4K; check a smaller copy.")


def _fingerprint_picture(path: Path) -> Fingerprint:
    """Fingerprint a still picture, its size checked from the header before decoding."""
    header = image_header(path)
    refuse_oversized(header.width, header.height, MAX_CHECK_IMAGE_PIXELS, what="picture")
    with heavy_decode():
        try:
            with Image.open(path) as image:
                image.load()
                ImageOps.exif_transpose(image, in_place=True)  # as a viewer shows it
                rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        except PILLOW_FAILURES:
            raise not_an_image() from None
        return fingerprint_image(rgb)


_DECODE_FAILURES: tuple[type[BaseException], ...] = (*MEDIA_FAILURES, cv2.error)


@dataclass(frozen=True)
class _VideoReading:
    fingerprint: Fingerprint
    credentials_trusted: bool
    marked_video_id: str | None


def _read_video(settings: Settings, path: Path) -> _VideoReading:
    """Everything a check needs from a video file: its fingerprint, whether this
    instance signed it, and the video id hidden in its pictures."""
    _check_length(path)
    with heavy_decode():
        try:
            fingerprint = fingerprint_video(path)
            if len(fingerprint.frame_times) == 0:
                raise InvalidInput("That video has no pictures Kinema can read.")
            identity = ensure_signing_identity(signing_dir(settings))
            try:
                credentials = read_credentials(path, trust_ca=identity.ca)
            except InvalidInput:
                credentials = None
            marked = read_video_id(path)
        except KinemaError:
            raise
        except _DECODE_FAILURES:
            raise UnreadableMedia("That video could not be decoded.") from None
    return _VideoReading(
        fingerprint=fingerprint,
        credentials_trusted=credentials is not None and credentials.trusted,
        marked_video_id=marked,
    )


def check_file(
    session: Session, settings: Settings, viewer: User | None, path: Path
) -> ProvenanceCheck:
    """Look up a video or image file among this instance's videos: by fingerprint
    (works on re-encoded, scaled and trimmed copies), by the invisible video id, and
    by a C2PA manifest signed with this instance's key."""
    from kinema.studio.service import get_video_for_viewer

    path = Path(path)
    is_image = _is_image(path)
    reading: _VideoReading | None = None
    if is_image:
        candidate = _fingerprint_picture(path)
    else:
        reading = _read_video(settings, path)
        candidate = reading.fingerprint
    known = _known_fingerprints(session, candidate)
    found, score = match(candidate, _shortlist(candidate, known))
    video_id = found.label if found is not None else None

    signed_here = False
    marked_id_found = False
    if reading is not None:
        signed_here = reading.credentials_trusted
        marked = reading.marked_video_id
        if marked is not None and session.get(VideoFingerprint, marked) is not None:
            marked_id_found = True
            if video_id is None:
                # The fingerprint missed (a heavily changed copy) but the hidden id is
                # intact and names one of this instance's videos.
                video_id, score = marked, max(score, MATCH_THRESHOLD)
    matched = video_id is not None
    visible_id = None
    if video_id is not None:
        try:
            visible_id = get_video_for_viewer(session, video_id, viewer).id
        except NotFound:
            visible_id = None
    return ProvenanceCheck(
        match=matched,
        video_id=visible_id,
        similarity=round(float(score), 4),
        kind="image" if is_image else "video",
        signed_here=signed_here,
        marked_video_id_found=marked_id_found,
    )
