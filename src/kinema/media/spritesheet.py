"""Spritesheets: one JPEG holding a grid of evenly spaced frames from a video, used as a
scrubbing preview (``GET /v1/videos/{id}/content?variant=spritesheet``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

DEFAULT_COLUMNS = 5
DEFAULT_ROWS = 5
DEFAULT_TILE_WIDTH = 192


class SpritesheetError(Exception):
    """The video could not be read; the message is fit to show to the person who asked."""


@dataclass(frozen=True)
class Spritesheet:
    """Where the sheet was written and how it is laid out, so a player can slice it."""

    path: Path
    columns: int
    rows: int
    tile_width: int
    tile_height: int
    frame_count: int
    # The moment (seconds from the start) each tile shows, in reading order.
    timestamps: tuple[float, ...]


def _frame_times(video_path: Path) -> list[float]:
    """Presentation time of every frame, in seconds, in decode order."""
    times: list[float] = []
    with av.open(str(video_path)) as container:
        stream = container.streams.video[0]
        for packet in container.demux(stream):
            if packet.pts is None or packet.size == 0:
                continue
            assert packet.time_base is not None
            times.append(float(packet.pts * packet.time_base))
    times.sort()
    return times


def make_spritesheet(
    video_path: Path,
    output: Path,
    *,
    columns: int = DEFAULT_COLUMNS,
    rows: int = DEFAULT_ROWS,
    tile_width: int = DEFAULT_TILE_WIDTH,
    quality: int = 85,
) -> Spritesheet:
    """Write a JPEG grid of up to ``columns * rows`` frames spread evenly over the video.

    Tiles keep the video's aspect ratio; short videos with fewer frames than cells fill
    only as many cells as they have frames (the grid shrinks to fit). Raises
    ``SpritesheetError`` if the file is not a readable video.
    """
    if columns < 1 or rows < 1 or tile_width < 8:
        raise ValueError("A spritesheet needs at least one column, one row and 8-pixel tiles.")
    try:
        times = _frame_times(video_path)
        if not times:
            raise SpritesheetError("The video has no frames to show.")
        wanted = min(columns * rows, len(times))
        # Evenly spaced picks, centred in their interval, so the first tile is not
        # always the (often black) first frame and the last is near the end.
        picks = sorted({times[min(len(times) - 1, int((i + 0.5) * len(times) / wanted))]
                        for i in range(wanted)})
        tiles: list[Image.Image] = []
        with av.open(str(video_path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            width, height = stream.codec_context.width, stream.codec_context.height
            tile_height = max(2, round(tile_width * height / width))
            next_pick = 0
            for frame in container.decode(stream):
                if next_pick >= len(picks):
                    break
                if frame.time is None or frame.time + 1e-6 < picks[next_pick]:
                    continue
                image = frame.to_image().resize((tile_width, tile_height), Image.Resampling.LANCZOS)
                tiles.append(image)
                next_pick += 1
    except (av.error.FFmpegError, OSError) as exc:
        raise SpritesheetError("The video could not be read to make a spritesheet.") from exc
    if not tiles:
        raise SpritesheetError("The video has no frames to show.")

    used_columns = min(columns, len(tiles))
    used_rows = math.ceil(len(tiles) / used_columns)
    sheet = Image.new("RGB", (used_columns * tile_width, used_rows * tile_height), (0, 0, 0))
    for index, tile in enumerate(tiles):
        row, column = divmod(index, used_columns)
        sheet.paste(tile, (column * tile_width, row * tile_height))
    output.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(output, format="JPEG", quality=quality, optimize=True)
    return Spritesheet(
        path=output,
        columns=used_columns,
        rows=used_rows,
        tile_width=tile_width,
        tile_height=tile_height,
        frame_count=len(tiles),
        timestamps=tuple(picks[: len(tiles)]),
    )
