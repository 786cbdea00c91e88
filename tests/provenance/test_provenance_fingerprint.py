from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
from synthetic import make_clip, reencode

from kinema.errors import InvalidInput
from kinema.provenance import Fingerprint, fingerprint_image, fingerprint_video, match
from kinema.provenance.video import iter_frames


@pytest.fixture(scope="module")
def library(long_clip: Path, clip_dir: Path) -> list[Fingerprint]:
    """Fingerprints of the videos an instance made: the long clip and two others."""
    others = [make_clip(clip_dir / f"other{seed}.mp4", seed, seconds=3.0) for seed in (21, 22)]
    return [fingerprint_video(path, label=path.stem) for path in [long_clip, *others]]


@pytest.mark.parametrize(
    "change",
    [
        {"video_bitrate": 120_000, "audio_bitrate": 48_000},
        {"scale": 0.5},
        {"start": 0.9, "end": 3.4},
    ],
    ids=["lower-bitrate", "half-size", "excerpt"],
)
def test_changed_copies_are_recognised(
    change: dict[str, float], long_clip: Path, library: list[Fingerprint], tmp_path: Path
) -> None:
    copy = reencode(long_clip, tmp_path / "copy.mp4", **change)
    best, score = match(fingerprint_video(copy), library)
    assert best is not None and best.label == "long"
    assert score > 0.7


def test_unrelated_clips_match_nothing(library: list[Fingerprint], tmp_path: Path) -> None:
    for seed in (31, 32, 33):
        stranger = make_clip(tmp_path / f"s{seed}.mp4", seed, seconds=2.5)
        best, score = match(fingerprint_video(stranger), library)
        assert best is None, f"clip {seed} wrongly matched with {score:.2f}"


def test_still_from_a_video_matches_it(
    long_clip: Path, library: list[Fingerprint], tmp_path: Path
) -> None:
    frames = list(iter_frames(long_clip))
    _, still = frames[len(frames) // 2 + 3]
    path = tmp_path / "still.jpg"
    cv2.imwrite(str(path), cv2.cvtColor(cv2.resize(still, (108, 192)), cv2.COLOR_RGB2BGR))
    best, _ = match(fingerprint_image(path), library)
    assert best is not None and best.label == "long"


def test_fingerprint_round_trips_through_json(library: list[Fingerprint]) -> None:
    original = library[0]
    restored = Fingerprint.from_dict(json.loads(json.dumps(original.to_dict())))
    assert restored.label == original.label
    assert (restored.frame_hashes == original.frame_hashes).all()
    assert (restored.audio_bits == original.audio_bits).all()
    best, score = match(restored, library)
    assert best is not None and best.label == original.label and score > 0.99


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all")
    with pytest.raises(InvalidInput):
        fingerprint_video(junk)
    with pytest.raises(InvalidInput):
        fingerprint_image(junk)
