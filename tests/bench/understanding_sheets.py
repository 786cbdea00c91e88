"""Contact sheets of prompts from the understanding set, rendered by the procedural
engine: six frames of each video in a row, under its prompt, in ``docs/understanding/``.

    .venv/bin/python tests/bench/understanding_sheets.py [ID ...]
"""

from __future__ import annotations

import json
import sys
import tempfile
import textwrap
from pathlib import Path

import av
import emoji
from PIL import Image, ImageDraw

from kinema.engines.base import GenerationRequest
from kinema.engines.procedural.engine import ProceduralEngine
from kinema.engines.procedural.lettering import script_of, text_font

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "tests" / "data" / "understanding_prompts.jsonl"
OUT = ROOT / "docs" / "understanding"
# Ten prompts of the tuning part: English, Korean, Japanese, Spanish, French and German,
# with riders, instruments, dialogue, signs and titles.
CHOSEN = ("p001", "p018", "p077", "p178", "p187", "p211", "p233", "p243", "p260", "p268")
FRAMES, THUMB_W, THUMB_H, SECONDS = 6, 180, 320, 6


def sheet(prompt: str, seed: int = 7) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        result = ProceduralEngine().generate(GenerationRequest(
            prompt=prompt, output=Path(tmp) / "v.mp4", width=360, height=640,
            seconds=SECONDS, fps=12, seed=seed))
        with av.open(str(result.video_path)) as container:
            frames = [f.to_image() for f in container.decode(video=0)]
    picks = [frames[round(k * (len(frames) - 1) / (FRAMES - 1))] for k in range(FRAMES)]
    # The caption font has no emoji; the prompt's emoji are in the pictures.
    caption = emoji.replace_emoji(prompt.replace("\n", " / "), "").strip()
    lines = textwrap.wrap(caption, 70)[:3]
    head = 26 * len(lines) + 12
    out = Image.new("RGB", (THUMB_W * FRAMES, THUMB_H + head), "white")
    draw = ImageDraw.Draw(out)
    for row, line in enumerate(lines):
        draw.text((10, 6 + 26 * row), line, fill=(20, 20, 20),
                  font=text_font(20, script_of(line), "Regular"))
    for k, frame in enumerate(picks):
        out.paste(frame.resize((THUMB_W, THUMB_H), Image.Resampling.LANCZOS),
                  (k * THUMB_W, head))
    return out


def main(ids: list[str]) -> None:
    rows = {row["id"]: row for row in map(json.loads, SET.read_text().splitlines())}
    OUT.mkdir(parents=True, exist_ok=True)
    for pid in ids or list(CHOSEN):
        path = OUT / f"{pid}.png"
        sheet(rows[pid]["prompt"]).save(path, optimize=True)
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
