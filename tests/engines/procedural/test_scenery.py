"""How places look: every setting draws, each looks like itself, props stay whole in the
frame, the scene moves by itself, things held stay at the hand and titles show while they
should."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kinema.engines.procedural.lettering import text_font
from kinema.engines.procedural.plan import (
    CAMERA_MOVES,
    SETTINGS,
    Camera,
    Held,
    Plan,
    Shot,
    Subject,
    Title,
)
from kinema.engines.procedural.render import FrameRenderer, RenderInputs

FPS = 12


def _plan(setting: str, width: int = 144, height: int = 256, *, subjects: list[Subject] | None
          = None, titles: list[Title] | None = None, move: str = "static",
          time_of_day: str = "day", seconds: float = 2.0) -> Plan:
    if subjects is None:
        subjects = [Subject(id="person-1", noun="person", glyph="🧍", x=0.35, y=0.8, depth=0.3),
                    Subject(id="dog-1", noun="dog", glyph="🐕", x=0.68, y=0.82, depth=0.2,
                            scale=0.16)]
    shot = Shot(start=0.0, duration=seconds, setting=setting, time_of_day=time_of_day,
                camera=Camera(move=move), subjects=subjects, titles=titles or [])
    return Plan(prompt="", seed=11, width=width, height=height, fps=FPS, seconds=seconds,
                shots=[shot])


def _frame(plan: Plan, index: int = 6) -> np.ndarray:
    renderer = FrameRenderer(RenderInputs(plan=plan.to_dict()))
    return np.asarray(renderer.render(index)).astype(int)


@pytest.mark.parametrize("size", [(144, 256), (256, 144)])
def test_every_setting_renders_in_portrait_and_landscape(size: tuple[int, int]) -> None:
    for setting in SETTINGS:
        frame = _frame(_plan(setting, *size))
        assert frame.shape == (size[1], size[0], 3)
        assert frame.std() > 12, setting  # a picture, not a flat fill


def test_each_place_looks_like_itself() -> None:
    """No two settings give nearly the same picture (the old engine drew a dozen places as
    the same park)."""
    thumbs = {s: _frame(_plan(s, subjects=[]), 0) for s in SETTINGS}
    names = list(thumbs)
    closest = min(
        (float(np.abs(thumbs[a] - thumbs[b]).mean()), a, b)
        for i, a in enumerate(names) for b in names[i + 1:])
    assert closest[0] > 8, closest
    assert np.abs(thumbs["cafe"] - thumbs["beach"]).mean() > 40


@pytest.mark.parametrize("move", CAMERA_MOVES)
def test_props_stay_whole_inside_the_frame_while_the_camera_moves(move: str) -> None:
    for size in ((144, 256), (256, 144)):
        for setting in SETTINGS:
            renderer = FrameRenderer(RenderInputs(plan=_plan(setting, *size, move=move)
                                                  .to_dict()))
            w, h = size
            for k in range(5):
                for glyph, (x0, y0, x1, y1) in renderer.prop_boxes(0, 2.0 * k / 4):
                    assert x0 >= -0.5 and y0 >= -0.5 and x1 <= w + 0.5 and y1 <= h + 0.5, (
                        setting, size, move, glyph, (x0, y0, x1, y1))


def test_props_are_drawn_where_their_boxes_say() -> None:
    plan = _plan("beach", subjects=[])
    renderer = FrameRenderer(RenderInputs(plan=plan.to_dict()))
    boxes = renderer.prop_boxes(0, 0.0)
    assert {glyph for glyph, _ in boxes} >= {"🌴", "⛱️"}
    frame = np.asarray(renderer.render(0)).astype(int)
    _glyph, (x0, y0, x1, y1) = next(b for b in boxes if b[0] == "🌴")
    palm = frame[int(y0):int(y1), int(x0):int(x1)]
    green = (palm[..., 1] > palm[..., 0] + 20) & (palm[..., 1] > palm[..., 2] + 20)
    assert green.mean() > 0.1


@pytest.mark.parametrize("setting", ["river", "waterfall", "stadium", "office", "bar", "jungle",
                                     "beach", "city", "underwater", "space_station"])
def test_a_still_scene_still_moves(setting: str) -> None:
    """Water flows, crowds bob, screens flicker, leaves sway and lights blink with the
    camera still and nobody moving."""
    still = [Subject(id="rock-1", noun="rock", glyph="🪨", x=0.5, y=0.85, depth=0.2,
                     scale=0.1)]
    plan = _plan(setting, subjects=still, time_of_day="night" if setting == "city" else "day")
    renderer = FrameRenderer(RenderInputs(plan=plan.to_dict()))
    frames = [np.asarray(renderer.render(i)).astype(int) for i in (0, 5, 10, 15)]
    changes = [np.abs(a - b).mean() for a, b in itertools.pairwise(frames)]
    assert min(changes) > 0.05, changes


def test_a_held_thing_is_drawn_at_its_holders_hand_and_moves_with_it() -> None:
    def walker(held: list[Held]) -> Subject:
        return Subject(id="person-1", noun="photographer", glyph="🧍", x=0.4, y=0.8,
                       depth=0.2, scale=0.35, action="walk", held=held)

    camera = Held(item="camera", glyph="📷", hold="hand")
    empty = _plan("plain", subjects=[walker([])], seconds=2.0)
    holding = _plan("plain", subjects=[walker([camera])], seconds=2.0)
    renderers = [FrameRenderer(RenderInputs(plan=p.to_dict())) for p in (empty, holding)]
    centres = []
    for index in (2, 20):
        a, b = (np.asarray(r.render(index)).astype(int) for r in renderers)
        changed = np.abs(a - b).sum(axis=2) > 60
        ys, xs = np.nonzero(changed)
        assert len(xs) > 40
        # The holder, from the frame without the camera: where it differs from the empty place.
        person = np.abs(a - np.asarray(FrameRenderer(RenderInputs(plan=_plan(
            "plain", subjects=[], seconds=2.0).to_dict())).render(index)).astype(int)).sum(
                axis=2) > 60
        py, px = np.nonzero(person)
        top, bottom = py.min(), py.max()
        height = bottom - top
        # Beside the body (within half a body height of it) at about mid height.
        assert abs(np.median(xs) - np.median(px)) < 0.6 * height
        assert top + 0.2 * height < np.median(ys) < bottom - 0.2 * height
        centres.append(float(np.median(xs)))
    assert abs(centres[1] - centres[0]) > 10  # it walked, and the camera went with it


def test_a_rider_is_drawn_over_its_mount() -> None:
    horse = Subject(id="horse-1", noun="horse", glyph="🐎", x=0.5, y=0.82, depth=0.3,
                    scale=0.3)
    cat = Subject(id="cat-1", noun="cat", glyph="🐈", x=0.5, y=0.7, depth=0.5, scale=0.15,
                  relation="on", anchor="horse-1")
    both = _frame(_plan("farm", subjects=[cat, horse]), 0)
    alone = _frame(_plan("farm", subjects=[horse]), 0)
    place = _frame(_plan("farm", subjects=[]), 0)
    horse_pixels = np.abs(alone - place).sum(axis=2) > 60
    cat_seen = np.abs(both - alone).sum(axis=2) > 60
    # The cat is seen where the horse is: it was drawn after (over) its mount.
    assert (cat_seen & horse_pixels).sum() > 0.3 * cat_seen.sum() > 10


def test_a_title_shows_during_its_time_only() -> None:
    title = Title(text="Nova X", kind="title", start=0.5, end=1.25)
    plain = FrameRenderer(RenderInputs(plan=_plan("city").to_dict()))
    titled = FrameRenderer(RenderInputs(plan=_plan("city", titles=[title]).to_dict()))
    band = slice(int(256 * 0.12), int(256 * 0.35))

    def difference(index: int) -> float:
        a = np.asarray(plain.render(index)).astype(int)[band]
        b = np.asarray(titled.render(index)).astype(int)[band]
        return float(np.abs(a - b).mean())

    assert difference(round(0.9 * FPS)) > 5.0
    assert difference(round(0.25 * FPS)) == 0.0
    assert difference(round(1.5 * FPS)) == 0.0


def test_a_sign_is_a_board_in_the_scene() -> None:
    sign = Title(text="OPEN 24 HOURS", kind="sign")
    renderer = FrameRenderer(RenderInputs(plan=_plan("supermarket", titles=[sign]).to_dict()))
    boxes = dict(renderer.prop_boxes(0, 0.0))
    assert "sign" in boxes
    x0, y0, x1, y1 = boxes["sign"]
    board = np.asarray(renderer.render(0)).astype(int)[int(y0):int(y1), int(x0):int(x1)]
    assert board.std() > 20  # lettering on it


@pytest.mark.parametrize("text", ["안녕하세요", "こんにちは", "你好世界", "Ça va?"])
def test_titles_and_captions_set_every_script(text: str) -> None:
    """Each character gets its own shape (a missing glyph would be the same box)."""
    font = text_font(40, "ko" if text[0] == "안" else "latin")
    shapes = set()
    for ch in text.replace(" ", ""):
        image = Image.new("L", (60, 60), 0)
        ImageDraw.Draw(image).text((5, 5), ch, font=font, fill=255)
        shapes.add(image.tobytes())
        assert image.getbbox() is not None
    assert len(shapes) == len(set(text.replace(" ", "")))


def test_night_lights_a_room_less_than_the_day_but_keeps_it_visible() -> None:
    day = _frame(_plan("living_room", subjects=[]), 0)
    night = _frame(_plan("living_room", subjects=[], time_of_day="night"), 0)
    assert 0.5 * day.mean() < night.mean() < 0.95 * day.mean()


def test_a_video_with_text_credits_its_font(make_video) -> None:
    titled = _plan("city", 160, 288, titles=[Title(text="Nova X", start=0.2, end=0.8)],
                   seconds=1.0)
    result, video = make_video("", seconds=1.0, plan=titled.to_dict())
    assert any("Noto Sans CJK" in c and "Open Font License" in c for c in result.credits)
    assert "Noto Sans CJK" in video.metadata.get("comment", "")
    plain, _video = make_video("", seconds=1.0, plan=_plan("city", 160, 288,
                                                           seconds=1.0).to_dict())
    assert not any("Noto Sans CJK" in c for c in plain.credits)
