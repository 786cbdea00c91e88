"""Open-vocabulary subjects and places: what a prompt's nouns and place words draw."""

from __future__ import annotations

import time

import pytest

from kinema.engines.procedural import plan
from kinema.engines.procedural.vocabulary import resolve_place, resolve_subject


def test_a_specific_animal_without_artwork_is_drawn_as_its_kind() -> None:
    falcon = resolve_subject("falcon")
    assert falcon is not None
    assert (falcon.noun, falcon.glyph, falcon.taken_as, falcon.kind) == (
        "falcon", "🐦", "bird", "bird")
    corgi = resolve_subject("a corgi")
    assert corgi is not None and corgi.glyph == "🐕" and corgi.taken_as == "dog"
    sedan = resolve_subject("sedan")
    assert sedan is not None and sedan.glyph == "🚗" and sedan.taken_as == "car"


def test_things_with_their_own_artwork_are_exact() -> None:
    for phrase, glyph in (("rabbit", "🐇"), ("cat", "🐈"), ("hamster", "🐹"),
                          ("croissant", "🥐"), ("dragon", "🐉"), ("robot", "🤖")):
        found = resolve_subject(phrase)
        assert found is not None, phrase
        assert found.glyph == glyph and found.taken_as is None, phrase


@pytest.mark.parametrize(
    ("role", "item", "glyph"),
    [("guitarist", "guitar", "🎸"), ("skateboarder", "skateboard", "🛹"),
     ("golfer", "golf flag", "⛳"), ("photographer", "camera", "📷"),
     ("drummer", "drum", "🥁"), ("pianist", "piano", "🎹"), ("violinist", "violin", "🎻"),
     ("boxer", "boxing glove", "🥊"), ("dj", "turntable", "🎛️"),
     ("trumpeter", "trumpet", "🎺"), ("banjoist", "banjo", "🪕")],
)
def test_roles_are_a_person_holding_their_thing(role: str, item: str, glyph: str) -> None:
    found = resolve_subject(role)
    assert found is not None
    assert found.kind == "person"
    assert found.held == (item, glyph)
    assert found.hold in plan.HOLDS or found.hold == "under"


def test_sports_roles_with_their_own_artwork_keep_it() -> None:
    for role, glyph in (("surfer", "🏄"), ("skier", "⛷️"), ("cyclist", "🚴"),
                        ("chef", "🧑‍🍳"), ("astronaut", "🧑‍🚀")):
        found = resolve_subject(role)
        assert found is not None and found.glyph == glyph and found.kind == "person", role


@pytest.mark.parametrize("word", ["melting", "screams", "happy", "running", "waving",
                                  "wave", "sad", "smile", "crying", "dancing", "love",
                                  "small", "cool", "hot", "beautiful", "exploding"])
def test_verbs_adjectives_and_feelings_never_become_props(word: str) -> None:
    assert resolve_subject(word) is None


@pytest.mark.parametrize("word", ["blorft", "xyzzy", "asdf qwer", "glorp"])
def test_nonsense_stays_unknown(word: str) -> None:
    assert resolve_subject(word) is None


def test_people_words_say_gender_and_age() -> None:
    cases = {
        "woman": ("👩", "female", "adult"), "grandma": ("👵", "female", "old"),
        "old man": ("👴", "male", "old"), "girl": ("👧", "female", "child"),
        "boy": ("👦", "male", "child"), "baby": ("👶", None, "baby"),
    }
    for phrase, (glyph, gender, age) in cases.items():
        found = resolve_subject(phrase)
        assert found is not None, phrase
        assert (found.glyph, found.gender, found.age) == (glyph, gender, age), phrase


def test_plurals_and_describing_words() -> None:
    wolves = resolve_subject("three wolves")
    assert wolves is not None and wolves.noun == "wolf" and wolves.plural
    children = resolve_subject("children")
    assert children is not None and children.noun == "child" and children.plural
    ball = resolve_subject("a big red ball")
    assert ball is not None and ball.glyph == "⚽" and ball.taken_as is None
    goat = resolve_subject("mountain goat")
    assert goat is not None and goat.glyph == "🐐"


@pytest.mark.parametrize(
    ("phrase", "setting"),
    [("pub", "bar"), ("a cozy diner", "restaurant"), ("dorm", "bedroom"),
     ("subway station", "train_platform"), ("savanna", "field"), ("volcano", "mountains"),
     ("swimming pool", "gym"), ("outer space", "space"), ("ocean floor", "underwater"),
     ("surface of mars", "mars"), ("nightclub", "bar"), ("coffee shop", "cafe")],
)
def test_place_words_map_to_a_setting(phrase: str, setting: str) -> None:
    found = resolve_place(phrase)
    assert found is not None
    assert found.setting == setting
    assert found.setting in plan.SETTINGS
    assert not found.guessed


def test_a_setting_named_exactly_is_not_taken_as_anything() -> None:
    found = resolve_place("the kitchen")
    assert found is not None and found.setting == "kitchen" and found.taken_as is None
    pub = resolve_place("pub")
    assert pub is not None and pub.taken_as == "bar"


def test_every_setting_is_reachable_by_its_everyday_name() -> None:
    for setting in plan.SETTINGS:
        found = resolve_place(setting.replace("_", " "))
        assert found is not None and found.setting == setting, setting


def test_an_unknown_place_goes_to_the_nearest_setting_and_says_it_was_guessed() -> None:
    throne = resolve_place("throne")
    assert throne is not None and throne.setting == "castle" and throne.guessed
    assert resolve_place("throne", by_meaning=False) is None


def test_words_that_are_not_places_give_no_place() -> None:
    for phrase in ("running", "blorft", "happiness", "the quick fox"):
        assert resolve_place(phrase) is None, phrase


def test_table_lookups_are_quick_after_warm_up() -> None:
    resolve_subject("warm up cat")
    started = time.perf_counter()
    for phrase in ("golden retriever", "two guitarists", "an old wizard", "pelican",
                   "skyscraper", "sailboats"):
        resolve_subject(phrase)
    assert time.perf_counter() - started < 0.05
