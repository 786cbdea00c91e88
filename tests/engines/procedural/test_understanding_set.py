"""The labelled prompt set that ``tests/bench/understanding.py`` measures the planner on is
well formed: every label names things the engine can draw, places it knows, lines that
are really in the prompt, and the set covers the languages, scripts and places it is
meant to."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kinema.engines.procedural.glyphs import glyph_renders
from kinema.engines.procedural.plan import SETTINGS

SET = Path(__file__).resolve().parents[2] / "data" / "understanding_prompts.jsonl"
LANGUAGES = {"en", "ko", "ja", "cmn", "es", "fr", "de", "pt"}
LINE_LANGUAGES = {"en", "es", "fr", "de", "pt", "it", "ko", "ja", "cmn"}
# The places issue 11 asks for; every one must be the labelled place of some prompt.
PLACES = {
    "cafe", "bar", "restaurant", "kitchen", "living_room", "bedroom", "office", "classroom",
    "lab", "garage", "gym", "library", "concert_hall", "stadium", "supermarket", "rooftop",
    "street", "village", "farm", "field", "river", "lake", "waterfall", "cave", "jungle",
    "desert", "mountains", "snow", "beach", "underwater", "moon", "mars", "space_station",
    "train_platform", "airport",
}
KEYS = {"id", "split", "lang", "prompt", "must_show", "setting", "speakers", "title", "moves"}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    lines = SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_prompt_has_the_labels_the_benchmark_reads(rows: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for row in rows:
        assert set(row) == KEYS, row["id"]
        assert row["split"] in ("tune", "unseen")
        assert row["lang"] in LANGUAGES
        assert isinstance(row["prompt"], str) and row["prompt"].strip()
        assert isinstance(row["moves"], bool)
        assert all(isinstance(m, list) and m and all(isinstance(g, str) and g for g in m)
                   for m in row["must_show"]), row["id"]
        assert row["setting"] is None or (row["setting"]
                                          and set(row["setting"]) <= set(SETTINGS)), row["id"]
        if row["title"] is not None:
            assert row["title"].casefold() in row["prompt"].casefold(), row["id"]
        for line in row["speakers"]:
            assert set(line) <= {"who", "text_contains", "language", "as"}, row["id"]
            assert line["who"] and all(isinstance(w, str) and w for w in line["who"])
            assert line["text_contains"].casefold() in row["prompt"].casefold(), row["id"]
            assert line["language"] in LINE_LANGUAGES, row["id"]


def test_every_thing_to_show_has_artwork(rows: list[dict[str, Any]]) -> None:
    undrawable = [(r["id"], m) for r in rows for m in r["must_show"]
                  if not any(glyph_renders(g) for g in m)]
    assert not undrawable


def test_the_set_is_as_wide_as_what_people_write(rows: list[dict[str, Any]]) -> None:
    languages = Counter(r["lang"] for r in rows)
    assert len(rows) >= 170
    assert sum(n for lang, n in languages.items() if lang != "en") >= 40
    assert all(languages[lang] >= 5 for lang in LANGUAGES)
    scripted = [r for r in rows if r["speakers"]]
    assert len(scripted) >= 25
    people = [len({s.get("as") or s["who"][0] for s in r["speakers"]}) for r in scripted]
    assert sum(n >= 2 for n in people) >= 10 and any(n >= 3 for n in people)
    assert {"es", "ko", "ja"} <= {s["language"] for r in scripted for s in r["speakers"]
                                  if s["language"] != "en"}
    assert sum(1 for r in rows if r["title"]) >= 5
    labelled = {place for r in rows for place in r["setting"] or []}
    assert labelled >= PLACES, PLACES - labelled


def test_about_a_third_is_kept_unseen_across_languages_and_scripts(
        rows: list[dict[str, Any]]) -> None:
    unseen = [r for r in rows if r["split"] == "unseen"]
    assert 0.28 <= len(unseen) / len(rows) <= 0.38
    assert {r["lang"] for r in unseen} == LANGUAGES
    assert sum(1 for r in unseen if r["speakers"]) >= 8
