from __future__ import annotations

from pathlib import Path

import numpy as np

from kinema.provenance import apply_visible_watermark, watermark_frame
from kinema.provenance.video import iter_frames
from support import assert_same_video_format, changed_pixels


def test_mark_visits_every_corner_so_no_single_crop_removes_it() -> None:
    frame = np.full((288, 160, 3), 90, dtype=np.uint8)
    quadrants_seen = set()
    for t in np.arange(0, 12, 0.25):
        ys, xs = np.nonzero(changed_pixels(frame, watermark_frame(frame, float(t), "alice")))
        assert len(ys) > 50, "the mark is drawn on every frame"
        quadrants_seen.add((int(ys.mean() > 144), int(xs.mean() > 80)))
    assert quadrants_seen == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_mark_moves_smoothly() -> None:
    frame = np.full((288, 160, 3), 200, dtype=np.uint8)
    centres = []
    for t in np.arange(0, 4, 1 / 24):
        ys, xs = np.nonzero(changed_pixels(frame, watermark_frame(frame, float(t), "bob")))
        centres.append((ys.mean(), xs.mean()))
    steps = np.abs(np.diff(np.array(centres), axis=0)).max()
    assert steps < 20, "the mark glides instead of jumping across the picture"


def test_handle_changes_the_mark() -> None:
    frame = np.zeros((288, 160, 3), dtype=np.uint8)
    assert not np.array_equal(watermark_frame(frame, 0, "alice"), watermark_frame(frame, 0, "zed"))


def test_watermarked_video_keeps_size_rate_and_sound(clip: Path, tmp_path: Path) -> None:
    out = apply_visible_watermark(clip, tmp_path / "marked.mp4", "alice")
    assert_same_video_format(clip, out, (160, 288))
    originals = [f for _, f in iter_frames(clip)]
    marked = [f for _, f in iter_frames(out)]
    assert len(marked) == len(originals)
    # Every quarter of the picture shows the mark at some point of the video.
    for top in (True, False):
        for left in (True, False):
            rows = slice(0, 144) if top else slice(144, 288)
            cols = slice(0, 80) if left else slice(80, 160)
            assert any(
                changed_pixels(a[rows, cols], b[rows, cols]).sum() > 40
                for a, b in zip(originals, marked, strict=True)
            )


def test_frames_can_be_watermarked_straight_into_an_mp4(tmp_path: Path) -> None:
    frames = [np.full((144, 256, 3), 40 + i, dtype=np.uint8) for i in range(36)]
    out = apply_visible_watermark(frames, tmp_path / "frames.mp4", "carol", fps=12)
    decoded = [f for _, f in iter_frames(out)]
    assert len(decoded) == 36
    assert decoded[0].shape == (144, 256, 3)
    assert changed_pixels(frames[0], decoded[0]).sum() > 50
