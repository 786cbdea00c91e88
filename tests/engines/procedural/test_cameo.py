"""Characters drawn as a whole figure that acts: a body doing the action under the
person's own head, a pet or an object moving as itself."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kinema.engines.base import CharacterRef
from kinema.engines.procedural.cameo import (
    MANIFEST,
    PHASES,
    cameo_folder,
    cameo_head,
    cameo_image,
    cameo_phase,
)

SKIN, SHIRT = (236, 190, 160), (30, 200, 230)
LEFT_MARK = (250, 40, 200)  # painted on the "turned left" view only


def _portrait(path: Path) -> Path:
    """A head-and-shoulders cutout: a skin-coloured head on a neck over cyan shoulders."""
    art = Image.new("RGBA", (160, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(art)
    draw.rectangle((10, 130, 150, 200), fill=(*SHIRT, 255))
    draw.rectangle((65, 100, 95, 135), fill=(*SKIN, 255))
    draw.ellipse((45, 20, 115, 110), fill=(*SKIN, 255))
    draw.ellipse((62, 50, 72, 58), fill=(40, 40, 40, 255))
    draw.ellipse((88, 50, 98, 58), fill=(40, 40, 40, 255))
    art.save(path)
    return path


@pytest.fixture
def portrait(tmp_path: Path) -> Path:
    return _portrait(tmp_path / "character-ada.png")


@pytest.fixture
def with_views(tmp_path: Path) -> Path:
    """A cutout with a cameo folder holding a front and a turned-left view."""
    path = _portrait(tmp_path / "character-eve.png")
    folder = cameo_folder(path)
    folder.mkdir()
    views = {}
    for name, mark in (("front", None), ("left", LEFT_MARK)):
        head = Image.new("RGBA", (90, 110), (0, 0, 0, 0))
        draw = ImageDraw.Draw(head)
        draw.ellipse((5, 5, 85, 105), fill=(*SKIN, 255))
        if mark:
            draw.rectangle((30, 20, 60, 40), fill=(*mark, 255))
        head.save(folder / f"{name}.png")
        views[name] = {"file": f"{name}.png", "chin": [45, 104], "mouth": [30, 75, 60, 88]}
    (folder / MANIFEST).write_text(json.dumps({"kind": "person", "views": views}))
    return path


def _share(art: Image.Image, color: tuple[int, int, int], rows: slice) -> float:
    rgba = np.asarray(art).astype(int)[rows]
    close = (np.abs(rgba[..., :3] - np.array(color)).sum(axis=-1) < 40) & (rgba[..., 3] > 200)
    return float(close.mean())


@pytest.mark.parametrize("action", ["walk", "run", "dance", "jump", "sit", "ride", "talk",
                                    "wave", "play", "idle"])
def test_every_action_is_a_whole_figure_with_its_own_head_whose_body_moves(
        portrait: Path, action: str) -> None:
    height = 200
    poses = [np.asarray(cameo_image(str(portrait), "person", action, phase, height))
             for phase in (0, 3, 6, 9, 13)]
    first = Image.fromarray(poses[0])
    assert first.height == height
    # The head is the character's own (skin from the cutout) in the top of the figure;
    # below it, a body in the shirt colour taken from the capture.
    _x0, y0, _x1, y1 = cameo_head(str(portrait), "person", action, 0, height)
    head_rows = slice(int(y0 * height), int(y1 * height))
    assert _share(first, SKIN, head_rows) > 0.1
    assert _share(first, SHIRT, slice(int(y1 * height), height)) > 0.008
    # Legs reach the ground: the figure stands (or sits) on its bottom edge.
    assert poses[0][-8:, :, 3].max() > 200
    # The body moves from pose to pose (idle breathes: a little).
    body = [p[int(y1 * height):, :, :3].astype(int) for p in poses]
    change = max(np.abs(a - b).mean() for a, b in itertools.pairwise(body))
    assert change > (0.2 if action in ("idle", "sit") else 0.4)


def test_a_traveller_turns_its_face_the_way_it_goes(with_views: Path) -> None:
    walking = cameo_image(str(with_views), "person", "walk", 0, 400)
    standing = cameo_image(str(with_views), "person", "idle", 0, 400)
    top = slice(0, 200)
    assert _share(walking, LEFT_MARK, top) > 0.005
    assert _share(standing, LEFT_MARK, top) == 0.0
    # Far away (small), the face stays frontal so it can still be told.
    assert _share(cameo_image(str(with_views), "person", "walk", 0, 120), LEFT_MARK,
                  slice(0, 60)) == 0.0


def test_the_mouth_opens_on_the_face_and_nowhere_else(with_views: Path) -> None:
    shut = np.asarray(cameo_image(str(with_views), "person", "talk", 0, 240, mouth=0)).astype(int)
    wide = np.asarray(cameo_image(str(with_views), "person", "talk", 0, 240, mouth=4)).astype(int)
    changed = np.abs(shut - wide).sum(axis=-1) > 60
    rows, cols = np.nonzero(changed)
    assert rows.size > 20
    x0, y0, x1, y1 = cameo_head(str(with_views), "person", "talk", 0, 240)
    assert y0 * 240 <= rows.min() and rows.max() <= (y1 + 0.05) * 240  # the jaw drops
    assert x0 * shut.shape[1] <= cols.min() and cols.max() <= x1 * shut.shape[1]
    # The inside of the open mouth is dark.
    assert wide[changed][:, :3].mean() < shut[changed][:, :3].mean() - 15


def test_a_pet_hops_as_itself_and_an_object_rolls(tmp_path: Path) -> None:
    cat = Image.new("RGBA", (120, 90), (0, 0, 0, 0))
    ImageDraw.Draw(cat).ellipse((5, 10, 115, 88), fill=(200, 120, 40, 255))
    path = tmp_path / "character-tom.png"
    cat.save(path)
    frames = [np.asarray(cameo_image(str(path), "pet", "walk", p, 100)) for p in range(PHASES)]
    lowest = [int(np.flatnonzero(f[..., 3].max(axis=1) > 128)[-1]) for f in frames]
    assert max(lowest) - min(lowest) >= 4  # off the ground and back
    # Its own colours, no body added.
    rgb = frames[0][frames[0][..., 3] > 200][:, :3].astype(int)
    assert np.abs(rgb - np.array((200, 120, 40))).sum(axis=-1).mean() < 20
    ball = Image.new("RGBA", (80, 80), (0, 0, 0, 0))
    draw = ImageDraw.Draw(ball)
    draw.ellipse((0, 0, 79, 79), fill=(240, 240, 240, 255))
    draw.pieslice((0, 0, 79, 79), 0, 90, fill=(220, 30, 30, 255))
    ball_path = tmp_path / "character-ball.png"
    ball.save(ball_path)
    (cameo_folder(ball_path)).mkdir()
    (cameo_folder(ball_path) / MANIFEST).write_text(json.dumps({"kind": "object"}))
    a = np.asarray(cameo_image(str(ball_path), "object", "run", 0, 80))
    b = np.asarray(cameo_image(str(ball_path), "object", "run", PHASES // 4, 80))
    red = [np.argwhere((x[..., 0] > 180) & (x[..., 1] < 90)).mean(axis=0) for x in (a, b)]
    assert np.linalg.norm(red[0] - red[1]) > 10  # the red quarter went round


def test_phases_follow_time_and_stay_in_range() -> None:
    seen = {cameo_phase("walk", t / 24, "ada-1") for t in range(48)}
    assert seen == set(range(PHASES))
    assert cameo_phase("idle", 0.0, "x") == cameo_phase("idle", 0.0, "x")


def test_a_character_in_a_video_is_drawn_acting(make_video, portrait: Path) -> None:
    ada = CharacterRef(handle="ada", name="Ada", appearance=portrait)
    result, video = make_video("@ada walks in the park at noon", seconds=2.0, characters=[ada])
    [subject] = result.plan["shots"][0]["subjects"]
    assert subject["character"] == "ada" and subject["action"] == "walk"
    frames = [f.astype(int) for f in video.frames]

    def shirt_at(frame: np.ndarray) -> tuple[float, float, float]:
        close = np.abs(frame - np.array(SHIRT)).sum(axis=-1) < 60
        ys, xs = np.nonzero(close)
        assert ys.size > 10, "the body is not in the frame"
        return float(xs.mean()), float(ys.min()), float(ys.max())

    start, end = shirt_at(frames[2]), shirt_at(frames[-2])
    assert abs(end[0] - start[0]) > 30  # she walks across the picture
    # Her own head sits on the body, and trousers are under it.
    x, top, bottom = (int(v) for v in start)
    head = frames[2][max(0, top - 25): top, x - 8: x + 8]
    assert (np.abs(head - np.array(SKIN)).sum(axis=-1) < 60).mean() > 0.3
    legs = frames[2][bottom + 2: bottom + 25, x - 10: x + 10]
    assert (np.abs(legs - np.array((58, 66, 98))).sum(axis=-1) < 90).mean() > 0.1


def test_two_characters_in_one_scene_each_keep_their_own_look(make_video,
                                                               tmp_path: Path) -> None:
    def portrait(name: str, skin: tuple[int, int, int], shirt: tuple[int, int, int]) -> Path:
        art = Image.new("RGBA", (160, 200), (0, 0, 0, 0))
        draw = ImageDraw.Draw(art)
        draw.rectangle((10, 130, 150, 200), fill=(*shirt, 255))
        draw.rectangle((65, 100, 95, 135), fill=(*skin, 255))
        draw.ellipse((45, 20, 115, 110), fill=(*skin, 255))
        path = tmp_path / f"character-{name}.png"
        art.save(path)
        return path

    dark_skin, magenta = (120, 78, 58), (220, 40, 200)
    ada = CharacterRef(handle="ada", name="Ada", appearance=portrait("ada", SKIN, SHIRT))
    eve = CharacterRef(handle="eve", name="Eve", appearance=portrait("eve", dark_skin, magenta))
    result, video = make_video("@ada and @eve dance in the park at noon", seconds=2.0,
                               characters=[ada, eve])
    cast = {s["character"] for s in result.plan["shots"][0]["subjects"]}
    assert cast == {"ada", "eve"}
    frame = video.frames[len(video.frames) // 2].astype(int)

    def where(color: tuple[int, int, int]) -> tuple[float, int]:
        close = np.abs(frame - np.array(color)).sum(axis=-1) < 70
        ys, xs = np.nonzero(close)
        assert ys.size > 15, f"{color} is not in the frame"
        return float(xs.mean()), int(ys.min())

    # Each shirt has its own head right above it.
    for skin, shirt in ((SKIN, SHIRT), (dark_skin, magenta)):
        shirt_x, shirt_top = where(shirt)
        head = frame[max(0, shirt_top - 20): shirt_top, int(shirt_x) - 6: int(shirt_x) + 6]
        assert (np.abs(head - np.array(skin)).sum(axis=-1) < 70).mean() > 0.25
