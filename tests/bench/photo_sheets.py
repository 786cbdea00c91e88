"""A contact sheet of prompts given with a photo (scikit-image's sample pictures),
rendered by the procedural engine: the photo, then four frames of its video, in
``docs/photos.png``; and the time a 6 s 720x1280 photo video takes.

    .venv/bin/python tests/bench/photo_sheets.py [--time]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw
from skimage import data

from kinema.engines.base import GenerationRequest
from kinema.engines.procedural.engine import ProceduralEngine
from kinema.engines.procedural.lettering import text_font

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "photos.png"
# (prompt, picture, width, height): portrait and landscape frames.
JOBS = (
    ("my cat watches a butterfly in the garden", "chelsea", 360, 640),
    ("an astronaut waves as a rocket flies by", "astronaut", 360, 640),
    ("a cup of coffee on a rainy morning", "coffee", 640, 360),
)
FRAMES, ROW_H, SECONDS = 4, 240, 4


def _photo(name: str, folder: Path) -> Path:
    path = folder / f"{name}.jpg"
    Image.fromarray(np.asarray(getattr(data, name)())).convert("RGB").save(path, quality=92)
    return path


def row(prompt: str, picture: Path, width: int, height: int, folder: Path) -> Image.Image:
    result = ProceduralEngine().generate(
        GenerationRequest(
            prompt=prompt,
            output=folder / "v.mp4",
            width=width,
            height=height,
            seconds=SECONDS,
            fps=12,
            seed=3,
            image=picture,
        )
    )
    with av.open(str(result.video_path)) as container:
        frames = [f.to_image() for f in container.decode(video=0)]
    picks = [frames[round(k * (len(frames) - 1) / (FRAMES - 1))] for k in range(FRAMES)]
    with Image.open(picture) as src:
        tiles = [src.convert("RGB").resize((round(ROW_H * src.width / src.height), ROW_H))]
    tiles += [f.resize((round(ROW_H * width / height), ROW_H)) for f in picks]
    out = Image.new("RGB", (sum(t.width + 8 for t in tiles), ROW_H + 30), (24, 24, 28))
    x = 0
    for tile in tiles:
        out.paste(tile, (x, 30))
        x += tile.width + 8
    times = ", ".join(f"{k * SECONDS / (FRAMES - 1):.1f}" for k in range(FRAMES))
    ImageDraw.Draw(out).text(
        (4, 6),
        f"\u201c{prompt}\u201d: the photo, then {times} s",
        fill=(235, 235, 235),
        font=text_font(17, weight="Regular"),
    )
    return out


def sheet() -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = [row(prompt, _photo(name, folder), w, h, folder) for prompt, name, w, h in JOBS]
    out = Image.new(
        "RGB", (max(r.width for r in rows), sum(r.height + 8 for r in rows)), (24, 24, 28)
    )
    y = 0
    for r in rows:
        out.paste(r, (0, y))
        y += r.height + 8
    return out


def timing() -> float:
    """Seconds for a 6 s 720x1280 video of a photo, the whole generation."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = folder / "cat.jpg"
        Image.fromarray(data.chelsea()).resize((1200, 798)).save(big, quality=92)
        start = time.perf_counter()
        ProceduralEngine().generate(
            GenerationRequest(
                prompt="my cat playing in the garden",
                output=folder / "v.mp4",
                width=720,
                height=1280,
                seconds=6,
                fps=24,
                seed=1,
                image=big,
            )
        )
        return time.perf_counter() - start


if __name__ == "__main__":
    if "--time" in sys.argv[1:]:
        print(f"6 s 720x1280 photo video: {timing():.2f} s")
    else:
        # 256 colours, dithered: a tenth of the size, hardly different to the eye.
        sheet().quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
            OUT, optimize=True
        )
        print(OUT)
