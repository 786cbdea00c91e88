from __future__ import annotations

import threading
from pathlib import Path

import av
import numpy as np
import pytest

from kinema.errors import InvalidInput
from kinema.ids import new_id
from kinema.provenance import apply_provenance_marks, read_video_id, watermark_frame
from kinema.provenance.video import iter_frames, transform_video_yuv
from kinema.provenance.watermark import watermark_yuv_frame
from support import assert_same_video_format, changed_pixels


@pytest.fixture(scope="module")
def marked_clip(clip: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    video_id = new_id("vid")
    out = tmp_path_factory.mktemp("marks") / "marked.mp4"
    return apply_provenance_marks(clip, out, handle="alice", video_id=video_id), video_id


def test_every_frame_shows_the_mark_and_it_moves(clip: Path, marked_clip: tuple[Path, str]) -> None:
    path, _ = marked_clip
    originals = [f for _, f in iter_frames(clip)]
    marked = [f for _, f in iter_frames(path)]
    assert len(marked) == len(originals)
    centres = []
    for before, after in zip(originals, marked, strict=True):
        ys, xs = np.nonzero(changed_pixels(before, after))
        assert len(ys) > 50, "the mark is drawn on every frame"
        centres.append((ys.mean(), xs.mean()))
    # 3 s: the mark rests top-left, then glides to the top-right corner.
    assert centres[-1][1] - centres[0][1] > 20


def test_marked_video_keeps_size_rate_sound_and_plays_from_the_start(
    clip: Path, marked_clip: tuple[Path, str]
) -> None:
    path, video_id = marked_clip
    assert_same_video_format(clip, path, (160, 288))
    assert read_video_id(path) == video_id


def test_marking_is_deterministic(
    clip: Path, marked_clip: tuple[Path, str], tmp_path: Path
) -> None:
    path, video_id = marked_clip
    again = apply_provenance_marks(clip, tmp_path / "again.mp4", handle="alice", video_id=video_id)
    assert again.read_bytes() == path.read_bytes()


def test_the_quick_path_draws_the_same_watermark() -> None:
    rng = np.random.default_rng(3)
    rgb = (rng.uniform(40, 210, (288, 160, 3))).astype(np.uint8)
    for t in (0.0, 1.7, 2.3, 5.0):
        expected = watermark_frame(rgb, t, "alice")
        planes = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
        drawn = watermark_yuv_frame(planes.to_ndarray(), t, "alice")
        shown = av.VideoFrame.from_ndarray(drawn, format="yuv420p").to_ndarray(format="rgb24")
        plain = planes.to_ndarray(format="rgb24")  # the colour round trip alone
        mark = changed_pixels(rgb, expected)
        assert mark.sum() > 200
        # Where the mark is, the quick path shows what the RGB path draws (up to the
        # colour conversion both pictures go through).
        error = np.abs(shown.astype(int) - expected.astype(int))[mark].mean()
        baseline = np.abs(plain.astype(int) - rgb.astype(int))[mark].mean()
        assert error < baseline + 4


def test_unreadable_video_is_a_clear_error_and_leaves_no_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"definitely not a video")
    out = tmp_path / "out.mp4"
    with pytest.raises(InvalidInput):
        apply_provenance_marks(junk, out, handle="a", video_id=new_id("vid"))
    assert not out.exists()


def test_a_failure_half_way_leaves_no_file_and_no_threads(clip: Path, tmp_path: Path) -> None:
    before = threading.active_count()
    out = tmp_path / "half.mp4"

    def breaks_at_one_second(planes: np.ndarray, t: float) -> np.ndarray:
        if t >= 1.0:
            raise InvalidInput("this frame cannot be marked")
        return planes

    with pytest.raises(InvalidInput):
        transform_video_yuv(clip, out, breaks_at_one_second)
    assert not out.exists()
    assert threading.active_count() == before


def test_odd_sized_video_is_a_clear_error(tmp_path: Path) -> None:
    odd = tmp_path / "odd.mkv"
    with av.open(str(odd), "w") as out:
        stream = out.add_stream("mjpeg", rate=12)
        stream.width, stream.height, stream.pix_fmt = 161, 97, "yuvj420p"
        for index in range(6):
            picture = av.VideoFrame.from_ndarray(
                np.full((97, 161, 3), 20 * index, dtype=np.uint8), format="rgb24"
            )
            picture.pts = index
            out.mux(stream.encode(picture.reformat(format="yuvj420p")))
        out.mux(stream.encode(None))
    out_path = tmp_path / "out.mp4"
    with pytest.raises(InvalidInput, match="even width and height"):
        apply_provenance_marks(odd, out_path, handle="a", video_id=new_id("vid"))
    assert not out_path.exists()
