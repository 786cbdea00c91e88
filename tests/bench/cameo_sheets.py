"""Contact sheets of a verified character acting, for the README.

Builds the astronaut's capture clip (the one the character tests use), verifies it as a
person, then renders the same ``@eileen`` doing different things and keeps five frames
of each, one sheet per prompt, plus a sheet of every action's figure. Each frame is
checked with the face pipeline: the line under it says whether her face was found on
her figure and how close it is to her own (under 0.6: the same person).

Run: ``python tests/bench/cameo_sheets.py [--out docs]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "characters"))

from cameo_check import face_on, figure_at, frames_of, portrait_descriptor
from capture_clips import person_clip

from kinema.characters.face_views import unpack_cameo
from kinema.characters.verify import verify_person
from kinema.engines.base import CharacterRef, GenerationRequest
from kinema.engines.procedural.cameo import PHASES, cameo_folder, cameo_image
from kinema.engines.procedural.engine import ProceduralEngine

PROMPTS = {
    "walk": "@eileen walks on the beach at sunset",
    "dance": "@eileen dances in the rain on a rooftop",
    "talk": '@eileen sits in a cozy cafe and says "Good morning everyone!"',
    "ride": "@eileen rides a bicycle in the park",
    "run": "@eileen runs through the city at night",
    "wave": "@eileen waves hello in the snow",
}
WIDTH, HEIGHT, FRAMES = 720, 1280, 5
TURNS = ["left", "right", "up", "down"]


def _character(folder: Path) -> CharacterRef:
    clip = person_clip(folder / "capture.mp4", "four seven two nine one", TURNS)
    person = verify_person(clip, TURNS, 5)
    appearance = folder / "character-eileen.png"
    appearance.write_bytes(person.cutout_png)
    views = unpack_cameo(person.face_views, "person", cameo_folder(appearance))
    return CharacterRef(handle="eileen", name="Eileen", appearance=appearance, views=views)


def _sheet(name: str, prompt: str, ref: CharacterRef, folder: Path, out: Path) -> str:
    result = ProceduralEngine(workers=1).generate(GenerationRequest(
        prompt=prompt, output=folder / f"{name}.mp4", seconds=3, width=WIDTH, height=HEIGHT,
        fps=12, seed=4, characters=[ref]))
    frames = frames_of(result.video_path.read_bytes())
    subject = next(s for shot in result.plan["shots"] for s in shot["subjects"]
                   if s.get("character") == "eileen")
    known = portrait_descriptor()
    picks = np.linspace(1, len(frames) - 2, FRAMES).astype(int)
    scale = 0.4
    w, h = round(WIDTH * scale), round(HEIGHT * scale)
    sheet = Image.new("RGB", (w * FRAMES, h + 44), (20, 20, 24))
    draw = ImageDraw.Draw(sheet)
    draw.text((6, h + 4), f"{prompt}  (plan: {subject['action']})", fill=(235, 235, 235))
    found = []
    for k, index in enumerate(picks):
        sheet.paste(Image.fromarray(frames[index]).resize((w, h)), (k * w, 0))
        figure = figure_at(result.plan, subject["id"], int(index))
        face = face_on(frames[index], figure, known) if figure else None
        label = "no face" if face is None else f"her face, {face.distance:.2f}"
        found.append(face.distance if face else None)
        draw.text((k * w + 6, h + 24), label, fill=(170, 230, 170) if face else (240, 140, 140))
    sheet.save(out / f"cameo-{name}.png", optimize=True)
    return f"{name}: {found}"


def _poses(ref: CharacterRef, out: Path) -> None:
    actions = ["walk", "run", "dance", "jump", "sit", "ride", "talk", "wave", "play", "idle"]
    size, columns = 200, 6
    sheet = Image.new("RGB", (columns * 170 + 60, len(actions) * size), (196, 222, 200))
    draw = ImageDraw.Draw(sheet)
    for row, action in enumerate(actions):
        draw.text((4, row * size + 4), action, fill=(20, 20, 20))
        for col in range(columns):
            mouth = col % 5 if action == "talk" else 0
            art = cameo_image(str(ref.appearance), "person", action, col * PHASES // columns,
                              size, mouth)
            sheet.paste(art, (60 + col * 170, row * size), art)
    sheet.save(out / "cameo-poses.png", optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ref = _character(folder)
        _poses(ref, args.out)
        for name, prompt in PROMPTS.items():
            print(_sheet(name, prompt, ref, folder, args.out), flush=True)


if __name__ == "__main__":
    main()
