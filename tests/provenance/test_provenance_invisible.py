from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from synthetic import reencode, video_bitrate

from kinema.errors import InvalidInput
from kinema.ids import new_id
from kinema.provenance import apply_provenance_marks, read_video_id
from kinema.provenance.video import iter_frames


@pytest.fixture(scope="module")
def marked(sharp_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    video_id = new_id("vid")
    out = tmp_path_factory.mktemp("invisible") / "marked.mp4"
    return apply_provenance_marks(sharp_clip, out, handle="alice", video_id=video_id), video_id


def test_video_id_reads_back_from_the_file(marked: tuple[Path, str]) -> None:
    path, video_id = marked
    assert read_video_id(path) == video_id


def test_video_id_survives_a_lower_bitrate_reencode(
    marked: tuple[Path, str], tmp_path: Path
) -> None:
    path, video_id = marked
    original = video_bitrate(path)
    copy = reencode(path, tmp_path / "copy.mp4", video_bitrate=int(original / 2))
    assert video_bitrate(copy) < 0.75 * original
    assert read_video_id(copy) == video_id


def test_video_id_survives_half_size(marked: tuple[Path, str], tmp_path: Path) -> None:
    path, video_id = marked
    assert read_video_id(reencode(path, tmp_path / "half.mp4", scale=0.5)) == video_id


def test_mark_is_invisible(sharp_clip: Path, marked: tuple[Path, str]) -> None:
    path, _ = marked
    before = np.array([f for _, f in iter_frames(sharp_clip)], dtype=np.float32)
    after = np.array([f for _, f in iter_frames(path)], dtype=np.float32)
    # Compare away from the visible watermark (top-left at the start): the middle.
    middle = (slice(0, 5), slice(200, 440), slice(100, 260))
    psnr = 10 * np.log10(255**2 / np.mean((before[middle] - after[middle]) ** 2))
    assert psnr > 33


def test_unmarked_video_has_no_id(clip: Path) -> None:
    assert read_video_id(clip) is None


def test_only_video_ids_can_be_carried(long_clip: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        apply_provenance_marks(long_clip, tmp_path / "x.mp4", handle="a", video_id="hello")


def test_a_still_taken_from_the_video_carries_the_id(
    marked: tuple[Path, str], tmp_path: Path
) -> None:
    import cv2

    path, video_id = marked
    _, frame = next(iter_frames(path))
    still = tmp_path / "still.png"
    cv2.imwrite(str(still), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    assert read_video_id(still) == video_id


def test_video_id_survives_a_full_range_copy(marked: tuple[Path, str], tmp_path: Path) -> None:
    """Phones and some editors write full-range (JPEG-style) video."""
    from fractions import Fraction

    import av

    path, video_id = marked
    copy = tmp_path / "full_range.mp4"
    with av.open(str(path)) as src, av.open(str(copy), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 360, 640, "yuvj420p"
        stream.options = {"crf": "26", "preset": "veryfast"}
        for index, frame in enumerate(src.decode(video=0)):
            picture = frame.reformat(format="yuvj420p")
            picture.pts, picture.time_base = index, Fraction(1, 24)
            out.mux(stream.encode(picture))
        out.mux(stream.encode(None))
    with av.open(str(copy)) as container:
        assert container.streams.video[0].codec_context.pix_fmt == "yuvj420p"
    assert read_video_id(copy) == video_id


def _sky_clip(path: Path, *, width: int = 288, height: int = 512, seconds: float = 2.0) -> Path:
    """A sunset sky: a smooth vertical gradient, nothing else, where a block pattern
    would show most."""
    from fractions import Fraction

    import av

    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    top, bottom = np.array([90, 60, 120], np.float32), np.array([250, 140, 60], np.float32)
    sky = np.broadcast_to(top * (1 - rows) + bottom * rows, (height, width, 3))
    picture = np.round(sky).astype(np.uint8)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "12", "preset": "veryfast"}
        for index in range(round(seconds * 24)):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, 24)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def test_mark_shows_no_block_pattern_on_a_smooth_sky(tmp_path: Path) -> None:
    """On a plain gradient the mark may change levels a little, but smoothly: no steps
    where its blocks meet, which the eye would see as a grid."""
    from kinema.provenance.video import iter_luma

    sky = _sky_clip(tmp_path / "sky.mp4")
    video_id = new_id("vid")
    marked = apply_provenance_marks(sky, tmp_path / "marked.mp4", handle="a", video_id=video_id)
    assert read_video_id(marked) == video_id
    before = np.array([luma for _, luma in iter_luma(sky)], dtype=np.float32)
    after = np.array([luma for _, luma in iter_luma(marked)], dtype=np.float32)
    # Below the visible watermark (which sits in the top band).
    change = (after - before)[:, 160:, :]
    width = change.shape[2]
    edges = np.unique(np.round(np.arange(1, 32) * width / 32).astype(int))
    steps = np.abs(np.diff(change, axis=2))  # steps[..., x - 1]: between x - 1 and x
    # A smooth change is about as steep where two blocks meet as two pixels beside it;
    # a block pattern jumps there and is flat beside.
    at_edges = steps[:, :, edges - 1].mean()
    beside = (steps[:, :, edges - 3].mean() + steps[:, :, edges + 1].mean()) / 2
    assert at_edges < 2.0 * beside
    assert np.abs(change).mean() < 2.0
