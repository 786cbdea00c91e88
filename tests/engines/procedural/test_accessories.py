"""What subjects wear: a character's appearance rules ("always wears a red cap") and
prompts such as "a dog wearing sunglasses" show on the subject in the decoded video."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kinema.engines.base import CharacterRef, GenerationRequest, InvalidRequest
from kinema.engines.procedural.engine import ProceduralEngine
from kinema.engines.procedural.plan import Plan
from kinema.engines.procedural.planner import edit_plan, make_plan

SKIN = (200, 160, 130)
SHIRT = (30, 200, 230)


@pytest.fixture
def portrait(tmp_path: Path) -> Path:
    """A head-and-shoulders cutout: a skin-coloured head on a neck over cyan shoulders."""
    art = Image.new("RGBA", (160, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(art)
    draw.rectangle((10, 130, 150, 200), fill=(*SHIRT, 255))
    draw.rectangle((65, 100, 95, 135), fill=(*SKIN, 255))
    draw.ellipse((45, 20, 115, 110), fill=(*SKIN, 255))
    path = tmp_path / "ada.png"
    art.save(path)
    return path


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    assert ys.size, "the subject is not in the frame"
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _head(frame: np.ndarray) -> tuple[int, int, int, int]:
    """The portrait's head in a frame: the skin above its cyan shoulders."""
    f = frame.astype(int)
    shirt = (f[..., 0] < 80) & (f[..., 1] > 185) & (f[..., 2] > 200)
    sx0, sy0, sx1, _sy1 = _box(shirt)
    # The head is lit by the noon light (a little brighter than the cutout).
    skin = ((abs(f[..., 0] - 210) < 30) & (abs(f[..., 1] - 168) < 30)
            & (abs(f[..., 2] - 134) < 30))
    skin[sy0:] = False
    skin[:, :sx0] = False
    skin[:, sx1:] = False
    return _box(skin)


def _red(region: np.ndarray) -> float:
    r = region.astype(int)
    return float(((r[..., 0] > 120) & (r[..., 0] > r[..., 1] + 60)
                  & (r[..., 0] > r[..., 2] + 60)).mean())


def test_a_characters_red_cap_rule_shows_above_its_head_in_every_shot(
        make_video, portrait: Path) -> None:
    prompt = "@ada stands in the park at noon, then @ada jumps"
    plain = CharacterRef(handle="ada", name="Ada", appearance=portrait)
    capped = CharacterRef(handle="ada", name="Ada", appearance=portrait,
                          appearance_rules="always wears a red cap; no political content")
    result, video = make_video(prompt, seconds=3.0, characters=[capped])
    _base, bare = make_video(prompt, seconds=3.0, characters=[plain])
    for shot in result.plan["shots"]:
        worn = [a for s in shot["subjects"] for a in s["accessories"]]
        assert [(a["item"], a["anchor"], tuple(a["color"])) for a in worn] == [
            ("cap", "head", (220, 40, 40))]
    assert len(result.plan["shots"]) == 2
    # One frame in each shot: the first standing, the second mid-jump.
    for index in (6, 27):
        x0, y0, x1, y1 = _head(bare.frames[index])
        head = y1 - y0
        above = (slice(max(0, y0 - head // 2), y0 + head // 6), slice(x0, x1))
        assert _red(video.frames[index][above]) > 0.15
        assert _red(bare.frames[index][above]) < 0.02


def test_a_dog_wearing_sunglasses_has_dark_glasses_at_its_eye_line(make_video) -> None:
    result, video = make_video("a dog wearing sunglasses in the park at noon")
    _base, bare = make_video("a dog in the park at noon")
    [dog] = result.plan["shots"][0]["subjects"]
    assert dog["noun"] == "dog"
    assert [a["item"] for a in dog["accessories"]] == ["sunglasses"]
    frame, plain = video.frames[12].astype(int), bare.frames[12].astype(int)
    # Where the plan puts the dog (standing still, feet at x, y), then its orange pixels.
    h = dog["scale"] * 288 * (1 - 0.45 * dog["depth"])
    cx, feet = dog["x"] * 160, dog["y"] * 288
    near = np.zeros(plain.shape[:2], bool)
    near[max(0, int(feet - 1.2 * h)): int(feet + 2), max(0, int(cx - h)): int(cx + h)] = True
    orange = near & (plain[..., 0] > 180) & (plain[..., 1] > 110) & (plain[..., 1] < 210) & (
        plain[..., 2] < 110)
    x0, y0, x1, y1 = _box(orange)
    h = y1 - y0
    # Pixels that turned dark: glasses are dark, and sit across the head, not the legs.
    added = (frame.max(axis=-1) < 70) & ~(plain.max(axis=-1) < 70)
    rows, cols = np.nonzero(added)
    assert rows.size > 25
    assert x0 <= np.median(cols) <= x1
    assert y0 - 0.1 * h <= np.median(rows) <= y0 + 0.4 * h
    assert added[y0 + h // 2:].sum() < 0.1 * rows.size


def test_prompts_dress_the_subject_they_name() -> None:
    plan = make_plan("a cat with a red hat and a dog wearing a pair of sunglasses, "
                     "a girl in a gold crown and a blue scarf dances")
    worn = {s.noun: [(a.item, a.anchor, a.color) for a in s.accessories]
            for s in plan.shots[0].subjects}
    assert worn == {
        "cat": [("hat", "head", (220, 40, 40))],
        "dog": [("sunglasses", "eyes", None)],
        "girl": [("crown", "head", (230, 180, 40)), ("scarf", "neck", (40, 90, 220))],
    }
    assert plan.unknown_words == []
    # A cap on its own is a thing in the scene, not something worn.
    alone = make_plan("a red cap on the beach")
    assert [(s.noun, s.color) for s in alone.shots[0].subjects] == [("cap", (220, 40, 40))]


def test_a_rule_beats_the_prompt_for_the_same_place_and_unknown_words_are_listed() -> None:
    ada = CharacterRef(handle="ada", name="Ada",
                       appearance_rules="always wears a red cap; glasses; wears sparkly "
                                        "monocles; no political content")
    plan = make_plan("@ada wearing a crown and a scarf waves", characters=[ada])
    [subject] = plan.shots[0].subjects
    assert sorted(a.item for a in subject.accessories) == ["cap", "glasses", "scarf"]
    # Words about looks it cannot draw are listed; a content rule is not about looks.
    assert {"sparkly", "monocles"} <= set(plan.unknown_words)
    assert not {"political", "content"} & set(plan.unknown_words)
    # A remix keeps the rules; a replaced subject does not keep the old one's things.
    remixed = edit_plan(plan, "make it night", characters=[ada])
    assert sorted(a.item for a in remixed.shots[0].subjects[0].accessories) == [
        "cap", "glasses", "scarf"]
    # A hand-written plan that leaves the cap off still gets it.
    bare = make_plan("@ada waves", characters=[CharacterRef(handle="ada", name="Ada")])
    assert bare.shots[0].subjects[0].accessories == []
    written = ProceduralEngine(workers=1).plan_for(GenerationRequest(
        prompt="", output=Path("unused.mp4"), plan=bare.to_dict(), characters=[ada]))
    assert "cap" in [a.item for a in written.shots[0].subjects[0].accessories]
    dog = make_plan("a dog wearing sunglasses in the park")
    cat = edit_plan(dog, "replace the dog with a cat")
    assert [(s.noun, s.accessories) for s in cat.shots[0].subjects] == [("cat", [])]


def test_plans_with_accessories_round_trip_and_old_plans_still_load(make_video) -> None:
    plan = make_plan("a dog wearing red sunglasses and a blue scarf runs on the beach",
                     seconds=1, width=160, height=288, fps=12)
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan
    assert again.shots[0].subjects[0].accessories[0].color == (220, 40, 40)
    old = plan.to_dict()
    for shot in old["shots"]:
        for subject in shot["subjects"]:
            del subject["accessories"]  # a plan saved before subjects could wear things
    loaded = Plan.from_dict(json.loads(json.dumps(old)))
    assert all(s.accessories == [] for s in loaded.shots[0].subjects)
    result, video = make_video("", plan=old, seconds=1.0)
    assert len(video.frames) == 12
    assert result.plan["shots"][0]["subjects"][0]["accessories"] == []


def test_a_hand_edited_plan_with_a_bad_accessory_is_refused(tmp_path: Path) -> None:
    plan = make_plan("a dog wearing sunglasses", seconds=1, width=160, height=288).to_dict()
    plan["shots"][0]["subjects"][0]["accessories"][0]["anchor"] = "tail"
    with pytest.raises(InvalidRequest, match="anchor 'tail' is not one of"):
        ProceduralEngine(workers=1).generate(GenerationRequest(
            prompt="", output=tmp_path / "x.mp4", plan=plan, seconds=1, width=160,
            height=288))
    plan["shots"][0]["subjects"][0]["accessories"][0].update(anchor="eyes", color="red")
    with pytest.raises(InvalidRequest, match="colour of three numbers"):
        ProceduralEngine(workers=1).generate(GenerationRequest(
            prompt="", output=tmp_path / "x.mp4", plan=plan, seconds=1, width=160,
            height=288))
    assert not (tmp_path / "x.mp4").exists()
