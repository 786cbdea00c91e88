"""The planner: what it understands in a prompt, and how a remix instruction edits a plan."""

from __future__ import annotations

import json

import pytest

from kinema.engines.base import CharacterRef
from kinema.engines.procedural.lexicon import COLORS
from kinema.engines.procedural.plan import Plan
from kinema.engines.procedural.planner import OPENMOJI_CREDIT, edit_plan, make_plan


def _shot(prompt: str, **kw: object):
    return make_plan(prompt, **kw).shots[0]  # type: ignore[arg-type]


@pytest.mark.parametrize(("prompt", "noun", "glyph", "count"), [
    ("a cat", "cat", "🐈", 1),
    ("three cats", "cat", "🐈", 3),
    ("2 foxes", "fox", "🦊", 2),
    ("some puppies", "puppy", "🐕", 3),
    ("a parrot", "parrot", "🦜", 1),
    ("a robot", "robot", "🤖", 1),
    ("a hot air balloon", "hot air balloon", "🎈", 1),
    ("an astronaut", "astronaut", "🧑\u200d🚀", 1),
    ("five mice", "mouse", "🐁", 5),
])
def test_subjects_counts_and_plurals(prompt: str, noun: str, glyph: str, count: int) -> None:
    subjects = _shot(prompt).subjects
    assert len(subjects) == count
    assert {s.noun for s in subjects} == {noun}
    assert {s.glyph for s in subjects} == {glyph}
    assert len({s.id for s in subjects}) == count


def test_colour_size_and_placement() -> None:
    shot = _shot("a huge red car on the left and a tiny bird in the sky")
    car, bird = shot.subjects
    assert car.color == COLORS["red"] and bird.color is None
    assert car.scale > 2 * bird.scale
    assert car.x < 0.4
    assert bird.y < 0.4


@pytest.mark.parametrize(("word", "action"), [
    ("walks", "walk"), ("runs", "run"), ("jumps", "jump"), ("flies", "fly"),
    ("swims", "swim"), ("dances", "dance"), ("spins", "spin"), ("surfs", "surf"),
    ("drives", "drive"), ("sleeps", "sleep"), ("talks", "talk"), ("falls", "fall"),
])
def test_actions(word: str, action: str) -> None:
    assert _shot(f"a dog {word}").subjects[0].action == action


def test_chase_targets_the_chased_subject() -> None:
    dog, cat = _shot("a dog chases a cat").subjects
    assert dog.action == "chase" and dog.target == cat.id
    assert cat.action == "run"


@pytest.mark.parametrize(("phrase", "setting"), [
    ("on the beach", "beach"), ("by the ocean", "beach"), ("on a city street", "city"),
    ("in the forest", "forest"), ("in the mountains", "mountains"), ("in the desert", "desert"),
    ("in the arctic", "snow"), ("in outer space", "space"), ("underwater", "underwater"),
    ("in a room", "interior"), ("in the kitchen", "kitchen"), ("on stage", "stage"),
    ("in the park", "park"), ("in the sky", "sky"),
])
def test_settings(phrase: str, setting: str) -> None:
    assert _shot(f"a cat {phrase}").setting == setting


@pytest.mark.parametrize(("phrase", "time"), [
    ("at dawn", "dawn"), ("at noon", "noon"), ("at sunset", "sunset"), ("at dusk", "sunset"),
    ("at night", "night"),
])
def test_times_of_day(phrase: str, time: str) -> None:
    assert _shot(f"a cat {phrase}").time_of_day == time


@pytest.mark.parametrize(("phrase", "weather"), [
    ("on a clear day", "clear"), ("in the rain", "rain"), ("while it snows", "snow"),
    ("in the fog", "fog"), ("in a thunderstorm", "storm"), ("on a windy day", "wind"),
])
def test_weather(phrase: str, weather: str) -> None:
    assert _shot(f"a cat {phrase}").weather == weather


def test_a_storm_has_thunder_cues() -> None:
    shot = _shot("a cat in a storm", seconds=8)
    assert any(c.name == "thunder" for c in shot.sound_cues)


@pytest.mark.parametrize(("phrase", "move"), [
    ("static camera", "static"), ("pan left", "pan_left"), ("panning right", "pan_right"),
    ("zoom in", "zoom_in"), ("zoom out", "zoom_out"), ("dolly in", "dolly_in"),
    ("orbit", "orbit"), ("handheld", "handheld"), ("aerial drone shot", "aerial"),
])
def test_camera_moves(phrase: str, move: str) -> None:
    assert _shot(f"a cat in the park, {phrase}").camera.move == move


@pytest.mark.parametrize(("phrase", "style"), [
    ("cinematic", "cinematic"), ("anime", "anime"), ("film noir", "noir"),
    ("black and white", "noir"), ("vintage film", "vintage"), ("watercolor", "watercolor"),
    ("vaporwave", "vaporwave"),
])
def test_styles(phrase: str, style: str) -> None:
    assert make_plan(f"a cat in the park, {phrase}").style == style


def test_mood_picks_music() -> None:
    assert make_plan("a spooky owl in the forest").mood == "tense"
    assert make_plan("a happy dog in the park").mood == "happy"


def test_dialogue_with_speakers_and_languages() -> None:
    shot = _shot("the parrot says 'hello' and a girl says '안녕하세요' and the dog says in "
                 "French 'bonjour'")
    by_id = {s.id: s for s in shot.subjects}
    lines = [(by_id[ln.speaker].noun, ln.text, ln.language) for ln in shot.dialogue]
    assert lines == [("parrot", "hello", "en"), ("girl", "안녕하세요", "ko"),
                     ("dog", "bonjour", "fr")]
    assert by_id[shot.dialogue[0].speaker].action == "talk"


def test_the_same_subject_is_not_doubled() -> None:
    shot = _shot("a dog walks on the beach; the dog says 'hi'")
    assert [s.noun for s in shot.subjects] == ["dog"]
    assert shot.dialogue[0].speaker == shot.subjects[0].id


def test_multi_shot_prompts() -> None:
    plan = make_plan("Shot 1: a cat sleeps in a room. Shot 2: a rocket flies in space",
                     seconds=6)
    assert [s.setting for s in plan.shots] == ["interior", "space"]
    assert plan.shots[1].start == pytest.approx(plan.shots[0].end)
    assert sum(s.duration for s in plan.shots) == pytest.approx(6)

    then = make_plan("a dog chases a cat in the park, then the cat jumps")
    assert len(then.shots) == 2
    assert [s.noun for s in then.shots[1].subjects] == ["dog", "cat"]
    assert then.shots[1].subjects[1].action == "jump"


def test_quotes_are_never_split_into_shots() -> None:
    plan = make_plan("the cat says 'and then we go, shot 2: home' and then the dog jumps")
    assert len(plan.shots) == 2
    assert [ln.text for ln in plan.shots[0].dialogue] == ["and then we go, shot 2: home"]
    assert plan.shots[1].subjects[-1].action == "jump"


def test_storyboard_one_shot_per_entry() -> None:
    plan = make_plan("", shots=["a cat at dawn", "a dog at night", "a fish underwater"])
    assert [s.time_of_day for s in plan.shots][:2] == ["dawn", "night"]
    assert len(plan.shots) == 3


def test_unknown_words_are_listed_never_fatal() -> None:
    plan = make_plan("a blorfing zizzle glimmers near the cat, 12345 %%% ;;; 'quoted'")
    assert "blorfing" in plan.unknown_words and "zizzle" in plan.unknown_words
    assert [s.noun for s in plan.shots[0].subjects] == ["cat"]
    for nonsense in ["", "   ", "!!!", "the the the", "@nobody says", "'", "shot 1:"]:
        make_plan(nonsense)


def test_characters_by_handle() -> None:
    ada = CharacterRef(handle="ada", name="Ada")
    shot = _shot("@ada waves at a dog and says 'hi'", characters=[ada])
    assert shot.subjects[0].character == "ada" and shot.subjects[0].name == "Ada"
    assert shot.dialogue[0].speaker == shot.subjects[0].id


def test_seed_changes_the_composition() -> None:
    a = make_plan("three cats in the park", seed=1).shots[0].subjects
    b = make_plan("three cats in the park", seed=2).shots[0].subjects
    assert [s.x for s in a] != [s.x for s in b]
    assert make_plan("three cats", seed=1).to_dict() == make_plan("three cats", seed=1).to_dict()


def test_plan_is_json_and_credits_openmoji() -> None:
    plan = make_plan("a dog says 'woof' on the beach at sunset, pan left")
    data = json.loads(json.dumps(plan.to_dict()))
    assert Plan.from_dict(data).to_dict() == plan.to_dict()
    assert OPENMOJI_CREDIT in plan.credits


def test_remix_edits() -> None:
    plan = make_plan("a dog walks on the beach; the dog says 'hi there'", seed=4)
    night = edit_plan(plan, "make it night")
    assert night.shots[0].time_of_day == "night"
    assert night.shots[0].subjects[0].noun == "dog"
    cat = edit_plan(night, "replace the dog with a cat")
    assert [(s.noun, s.id) for s in cat.shots[0].subjects] == [("cat", "cat-1")]
    assert cat.shots[0].dialogue[0].speaker == "cat-1"
    assert cat.shots[0].time_of_day == "night"
    assert cat.shots[0].dialogue[0].text == "hi there"
    rainy = edit_plan(cat, "add rain")
    assert rainy.shots[0].weather == "rain"
    anime = edit_plan(rainy, "in anime style")
    assert anime.style == "anime"
    bye = edit_plan(anime, "he says 'goodbye' instead")
    assert [ln.text for ln in bye.shots[0].dialogue] == ["goodbye"]
    more = edit_plan(bye, "add two ducks")
    assert [s.noun for s in more.shots[0].subjects] == ["cat", "duck", "duck"]
    assert len({s.id for s in more.shots[0].subjects}) == 3
    fewer = edit_plan(more, "remove the ducks")
    assert [s.noun for s in fewer.shots[0].subjects] == ["cat"]
    # The parent is never changed by a remix.
    assert plan.shots[0].time_of_day == "day" and plan.shots[0].subjects[0].noun == "dog"


def test_word_salad_never_breaks_the_planner() -> None:
    import random

    from kinema.engines.procedural import lexicon as lx

    words = [*sorted(lx.COLORS), *sorted(lx.SIZES), *sorted(lx.ACTION_WORDS)[:60],
             *sorted(lx.SETTING_PHRASES)[:40], *sorted(lx.WEATHER_PHRASES),
             *sorted(lx.CAMERA_PHRASES), *sorted(lx.STYLE_PHRASES), "cat", "dogs", "three",
             "'hi'", '"yo"', "says", "then", "shot 1:", "Shot 2:", "@ada", "in french", "it",
             "the", "a", ",", ".", "'", "‘ok’", "「こんにちは」", "🐱", "123", "chases",
             "instead", "replace the cat with a dog", "add rain", "remove the dog", "\u0000",
             "with", "into", "make the", "and"]
    chooser = random.Random(0)
    for k in range(400):
        text = " ".join(chooser.choice(words) for _ in range(chooser.randint(0, 20)))
        plan = make_plan(text, seconds=chooser.choice([1, 5, 20]), seed=k)
        assert plan.shots and sum(s.duration for s in plan.shots) == pytest.approx(plan.seconds)
        instruction = " ".join(chooser.choice(words) for _ in range(chooser.randint(0, 8)))
        assert edit_plan(plan, instruction).shots


def test_people_are_drawn_doing_their_action() -> None:
    assert _shot("a person surfs").subjects[0].glyph == "🏄"
    assert _shot("a woman runs").subjects[0].glyph == "🏃"
    assert _shot("a man dances").subjects[0].glyph == "🕺"
    assert _shot("a woman sits").subjects[0].glyph == "👩"
