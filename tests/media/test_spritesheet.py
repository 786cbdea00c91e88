"""Spritesheets made from real MP4s encoded with PyAV and read back with Pillow."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from kinema.media.spritesheet import SpritesheetError, make_spritesheet


def _write_ramp_video(path: Path, *, frames: int, width: int = 160, height: int = 96) -> None:
    """An H.264 clip whose frames get brighter one after another (frame i has grey
    level ~ 8 + 8 * i), so the order of tiles in a sheet can be read back."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(12, 1))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            level = min(255, 8 + 8 * index)
            pixels = np.full((height, width, 3), level, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _tile_levels(sheet: Image.Image, columns: int, rows: int, count: int) -> list[float]:
    width, height = sheet.size[0] // columns, sheet.size[1] // rows
    grey = np.asarray(sheet.convert("L"), dtype=np.float32)
    levels = []
    for index in range(count):
        row, column = divmod(index, columns)
        tile = grey[row * height : (row + 1) * height, column * width : (column + 1) * width]
        levels.append(float(tile[4:-4, 4:-4].mean()))
    return levels


def test_sheet_is_a_jpeg_grid_of_frames_in_time_order(tmp_path: Path) -> None:
    video = tmp_path / "ramp.mp4"
    _write_ramp_video(video, frames=24)

    sheet = make_spritesheet(video, tmp_path / "sheet.jpg", columns=4, rows=3, tile_width=80)

    with Image.open(sheet.path) as image:
        assert image.format == "JPEG"
        # 160x96 frames keep their aspect ratio in 80x48 tiles.
        assert (sheet.tile_width, sheet.tile_height) == (80, 48)
        assert image.size == (4 * 80, 3 * 48)
        levels = _tile_levels(image, 4, 3, 12)
    assert sheet.frame_count == 12
    # Tiles show different moments, in reading order, from early to late.
    assert all(later > earlier + 4 for earlier, later in pairwise(levels))
    assert levels[0] < 60 < 150 < levels[-1]
    assert list(sheet.timestamps) == sorted(sheet.timestamps)
    assert sheet.timestamps[-1] <= 24 / 12


def test_short_video_fills_only_the_cells_it_has_frames_for(tmp_path: Path) -> None:
    video = tmp_path / "short.mp4"
    _write_ramp_video(video, frames=3)

    sheet = make_spritesheet(video, tmp_path / "sheet.jpg", columns=5, rows=5, tile_width=64)

    assert (sheet.frame_count, sheet.columns, sheet.rows) == (3, 3, 1)
    with Image.open(sheet.path) as image:
        assert image.size == (3 * 64, sheet.tile_height)


def test_unreadable_file_gives_a_plain_error(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-video.mp4"
    bogus.write_bytes(b"this is plain text, not an MP4")

    with pytest.raises(SpritesheetError, match="could not be read"):
        make_spritesheet(bogus, tmp_path / "sheet.jpg")
    assert not (tmp_path / "sheet.jpg").exists()
