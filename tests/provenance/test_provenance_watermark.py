from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from kinema.provenance import apply_visible_watermark, watermark_frame
from kinema.provenance.video import iter_frames


def _changed(original: np.ndarray, marked: np.ndarray) -> np.ndarray:
    return np.abs(original.astype(int) - marked.astype(int)).sum(axis=2) > 30


def _top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return boxes


def test_mark_visits_every_corner_so_no_single_crop_removes_it() -> None:
    frame = np.full((288, 160, 3), 90, dtype=np.uint8)
    quadrants_seen = set()
    for t in np.arange(0, 12, 0.25):
        ys, xs = np.nonzero(_changed(frame, watermark_frame(frame, float(t), "alice")))
        assert len(ys) > 50, "the mark is drawn on every frame"
        quadrants_seen.add((int(ys.mean() > 144), int(xs.mean() > 80)))
    assert quadrants_seen == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_mark_moves_smoothly() -> None:
    frame = np.full((288, 160, 3), 200, dtype=np.uint8)
    centres = []
    for t in np.arange(0, 4, 1 / 24):
        ys, xs = np.nonzero(_changed(frame, watermark_frame(frame, float(t), "bob")))
        centres.append((ys.mean(), xs.mean()))
    steps = np.abs(np.diff(np.array(centres), axis=0)).max()
    assert steps < 20, "the mark glides instead of jumping across the picture"


def test_handle_changes_the_mark() -> None:
    frame = np.zeros((288, 160, 3), dtype=np.uint8)
    assert not np.array_equal(watermark_frame(frame, 0, "alice"), watermark_frame(frame, 0, "zed"))


def test_watermarked_video_keeps_size_rate_and_sound(clip: Path, tmp_path: Path) -> None:
    out = apply_visible_watermark(clip, tmp_path / "marked.mp4", "alice")
    with av.open(str(clip)) as src, av.open(str(out)) as dst:
        v_in, v_out = src.streams.video[0], dst.streams.video[0]
        assert (v_out.codec_context.width, v_out.codec_context.height) == (160, 288)
        assert v_out.average_rate == v_in.average_rate
        assert v_out.codec_context.name == "h264"
        assert v_out.codec_context.pix_fmt == "yuv420p"
        assert dst.streams.audio, "the sound track is kept"
        assert abs(dst.streams.audio[0].frames - src.streams.audio[0].frames) <= 1
    boxes = _top_level_boxes(out)
    assert boxes.index("moov") < boxes.index("mdat"), "faststart: index before the media"
    originals = [f for _, f in iter_frames(clip)]
    marked = [f for _, f in iter_frames(out)]
    assert len(marked) == len(originals)
    # Every quarter of the picture shows the mark at some point of the video.
    for top in (True, False):
        for left in (True, False):
            rows = slice(0, 144) if top else slice(144, 288)
            cols = slice(0, 80) if left else slice(80, 160)
            assert any(
                _changed(a[rows, cols], b[rows, cols]).sum() > 40
                for a, b in zip(originals, marked, strict=True)
            )


def test_frames_can_be_watermarked_straight_into_an_mp4(tmp_path: Path) -> None:
    frames = [np.full((144, 256, 3), 40 + i, dtype=np.uint8) for i in range(36)]
    out = apply_visible_watermark(frames, tmp_path / "frames.mp4", "carol", fps=12)
    decoded = [f for _, f in iter_frames(out)]
    assert len(decoded) == 36
    assert decoded[0].shape == (144, 256, 3)
    assert _changed(frames[0], decoded[0]).sum() > 50
