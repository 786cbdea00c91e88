"""Benchmark: does the procedural engine's plan show what a prompt asks for?

Reads the labelled prompt set ``tests/data/understanding_prompts.jsonl`` (prompts written
the way people write to video apps, in eight languages, with the things each must show,
its place, its scripted lines and the text it asks to show), plans every prompt the way
the engine does (8 s, 144x256, 8 fps, seed 1), renders the frames at that small size
without encoding or sound, and prints, for the tune and unseen parts, for English and
for the other languages:

- **things shown**: share of the labelled things drawn. A thing is shown when one of its
  acceptable emoji is drawn as a subject, as something a subject holds or wears. Things
  labelled more than once ("two cats") need that many different subjects. Emoji are
  compared without skin tones, gender signs or variation selectors.
- **settings right**: share of the prompts with a labelled place whose every shot is in
  one of the acceptable ``plan.SETTINGS``.
- **frozen clips**: clips that are still in every 1 s window (the mean absolute difference
  between consecutive frames of the same shot stays below ``STILL`` levels of 255), and
  clips with at least one still second. Speech-driven mouths are not rendered here (no
  speech is synthesized), so a clip that moves only while someone talks counts as still.
- **lines to the right speaker**: each labelled line is found in the plan's dialogue by a
  piece of its text; it is right when its speaker is a subject whose ``noun`` or ``name``
  is one of the acceptable ones, and different people of the script are different
  subjects.
- **line languages right**: the found line's ``language`` is the labelled eSpeak code.
- **titles shown**: the text the prompt asks to show is in a shot's ``titles``.
- **unknown words**: median of ``len(plan.unknown_words)``.
- **plan time**: mean seconds per ``make_plan`` call (the first call, which loads what
  the planner needs, is timed apart).

Each line of the set is a JSON object: ``id``, ``split`` ("tune" or "unseen": keep the
unseen part out of sight while tuning), ``lang``, ``prompt``, ``must_show`` (a list of
lists of acceptable emoji, one list per thing), ``setting`` (acceptable place names, or
null), ``speakers`` (per scripted line, in order: ``who`` (acceptable nouns or the
script's name), ``text_contains``, ``language``, and ``as`` when two speakers share a
noun, e.g. "Cat 1" and "Cat 2"), ``title`` (or null) and ``moves``.

The set has 276 prompts: 209 English and 67 in Korean, Japanese, Chinese, Spanish,
French, German and Portuguese (8-12 each); 43 with scripted lines (38 with two or three
people, lines in eight languages); 10 with text to show; 92 unseen (a third of each
language and kind, drawn with a fixed seed). It was written before the planner was tuned
on it. On the planner of early December 2026 (plan version 2, before open-vocabulary
subjects) it scored: things shown 54% (English 67%, other languages 13%), settings right
67%, 74 frozen clips of 276, lines to the right speaker 43%, line languages 76%, titles
60%, median unknown words 2 (7 for other languages).

``understanding_dialogue.jsonl`` (``--set tests/data/understanding_dialogue.jsonl``) holds
86 more scripted prompts (165 lines, 144 of them not in English, in nine languages,
Italian included), written in four rounds later to find the ways of writing dialogue
the first set missed: the line before its speaker in Korean and Japanese, "A 对 B 说",
"he answers" after a doctor and a patient, French « … », speakers called A and B or 甲
and 乙, "one says … the other says", the writer in the scene ("i say"), names like 小明,
"diciendo". Each round was written before the planner was changed for it and scored
first: 84.6%, 82.9%, 82.1% and 89.7% of its lines to the right speaker; all of it is
tuning data now.

The benchmark prints figures; it never fails. Targets (issue 11): >= 90% of things
shown, 0 frozen clips, 100% of lines to the right speaker, non-English within 10 points
of English.

Run: ``python tests/bench/understanding.py [--split tune|unseen|all] [--lang ko]
[--verbose] [--no-render] [--ids p001,p002] [--json results.json]``
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kinema.engines.procedural.planner import make_plan
from kinema.engines.procedural.render import FrameRenderer, RenderInputs

SET = Path(__file__).resolve().parents[1] / "data" / "understanding_prompts.jsonl"
SECONDS, WIDTH, HEIGHT, FPS, SEED = 8, 144, 256, 8, 1
# Mean absolute difference (0-255, over all pixels and channels) between consecutive
# frames below which a second of video counts as still. At 144x256 a small subject
# walking or breathing, or a slow camera move, gives 0.5 and more; a drifting cloud or
# twinkling stars over an otherwise still picture stay near 0.05-0.25.
STILL = 0.3

_SKIN_TONES = {chr(code) for code in range(0x1F3FB, 0x1F400)}
_LANGUAGE_ALIASES = {
    "zh": "cmn", "zh-cn": "cmn", "zh-hans": "cmn", "zh-tw": "cmn", "zh-hant": "cmn",
    "jp": "ja", "kr": "ko",
}


# --- reading the plan ---------------------------------------------------------------------


_WHOLE_FIGURES = {"🧍\u200d\u2640": "👩", "🧍\u200d\u2642": "👨", "🧍": "🧑"}


def glyph_key(glyph: str) -> str:
    """An emoji without skin tone, gender sign or variation selector, so "🏄‍♀️" and "🏄"
    compare equal."""
    text = "".join(ch for ch in glyph if ch not in "\ufe0f\ufe0e" and ch not in _SKIN_TONES)
    # A woman drawn standing is still a woman: whole-figure people count as their busts.
    text = _WHOLE_FIGURES.get(text, text)
    for sign in ("\u200d\u2640", "\u200d\u2642"):
        text = text.replace(sign, "")
    return text


def language_key(code: str | None) -> str:
    code = (code or "").strip().casefold().replace("_", "-")
    code = _LANGUAGE_ALIASES.get(code, code)
    return code if code == "cmn" else code.split("-")[0]


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _shots(plan: Any) -> list[Any]:
    return list(getattr(plan, "shots", None) or [])


def drawn_things(plan: Any) -> dict[tuple[str, ...], set[str]]:
    """What the plan draws, one entry per thing (a subject, or something it holds or
    wears), with the glyphs it is drawn as over all shots."""
    things: dict[tuple[str, ...], set[str]] = {}
    for shot in _shots(plan):
        for subject in getattr(shot, "subjects", None) or []:
            sid = str(getattr(subject, "id", "") or id(subject))
            glyph = getattr(subject, "glyph", "") or ""
            if glyph:
                things.setdefault(("subject", sid), set()).add(glyph_key(glyph))
            for kind in ("held", "accessories"):
                for j, item in enumerate(getattr(subject, kind, None) or []):
                    glyph = getattr(item, "glyph", "") or ""
                    if glyph:
                        key = (kind, sid, str(j), str(getattr(item, "item", "")))
                        things.setdefault(key, set()).add(glyph_key(glyph))
    return things


def _describe(glyphs: Iterable[str]) -> str:
    first = next(iter(glyphs), "")
    try:
        name = unicodedata.name(first[0]).lower() if first else "?"
    except ValueError:
        name = "?"
    return f"{first} ({name})"


# --- scoring one prompt ---------------------------------------------------------------------


@dataclass
class Score:
    id: str
    split: str
    lang: str
    prompt: str
    things: int = 0
    things_shown: int = 0
    setting_labelled: bool = False
    setting_right: bool = False
    lines: int = 0
    lines_speaker_right: int = 0
    lines_language_right: int = 0
    title_labelled: bool = False
    title_shown: bool = False
    unknown: int = 0
    plan_seconds: float = 0.0
    rendered: bool = False
    still_seconds: int = 0
    seconds_measured: int = 0
    frozen: bool = False
    drawn: list[str] = field(default_factory=list)  # "glyph id" of every thing drawn
    motion: list[float] = field(default_factory=list)  # per second, mean frame difference
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def score_things(row: dict[str, Any], plan: Any, score: Score) -> None:
    things = drawn_things(plan)
    score.drawn = [f"{' '.join(sorted(glyphs))} {key[-1] if key[0] != 'subject' else key[1]}"
                   for key, glyphs in things.items()]
    groups: dict[frozenset[str], list[list[str]]] = {}
    for accepted in row["must_show"]:
        groups.setdefault(frozenset(glyph_key(g) for g in accepted), []).append(accepted)
    for accepted, labels in groups.items():
        wanted = len(labels)
        have = sum(1 for glyphs in things.values() if glyphs & accepted)
        score.things += wanted
        score.things_shown += min(wanted, have)
        if have < wanted:
            needed = f"{wanted}x " if wanted > 1 else ""
            score.failures.append(f"missing {needed}{_describe(labels[0])}"
                                  + (f", drawn {have}" if have else ""))


def score_setting(row: dict[str, Any], plan: Any, score: Score) -> None:
    accepted = row.get("setting")
    if not accepted:
        return
    score.setting_labelled = True
    settings = [getattr(shot, "setting", None) for shot in _shots(plan)]
    score.setting_right = bool(settings) and all(s in accepted for s in settings)
    if not score.setting_right:
        score.failures.append(f"setting {'/'.join(map(str, settings))}, "
                              f"wanted one of {', '.join(accepted)}")


def _subject_names(subject: Any) -> set[str]:
    names = set()
    for value in (getattr(subject, "noun", ""), getattr(subject, "name", ""),
                  getattr(subject, "character", "")):
        if value:
            folded = _fold(str(value))
            names.add(folded)
            names.add(re.sub(r"^(the|a|an)\s+", "", folded))
    return names


def _names_match(accepted: set[str], names: set[str]) -> bool:
    """Whether a subject called ``names`` is one of the ``accepted`` speakers: the same
    word, or the word inside a longer name ("marco" in "chef marco", "client" in "le
    client")."""
    return any(a == n or re.search(rf"(?<!\w){re.escape(a)}(?!\w)", n)
               for a in accepted for n in names)


def score_lines(row: dict[str, Any], plan: Any, score: Score) -> None:
    labelled = row.get("speakers") or []
    if not labelled:
        return
    subjects = {getattr(s, "id", None): s for shot in _shots(plan)
                for s in getattr(shot, "subjects", None) or []}
    spoken = [line for shot in _shots(plan) for line in getattr(shot, "dialogue", None) or []]
    used: set[int] = set()
    found: list[tuple[dict[str, Any], Any]] = []
    for label in labelled:
        piece = _fold(label["text_contains"])
        match = next((i for i, line in enumerate(spoken)
                      if i not in used and piece in _fold(str(getattr(line, "text", "")))), None)
        if match is None:
            found.append((label, None))
            score.failures.append(f"line not found: {label['text_contains']!r}")
        else:
            used.add(match)
            found.append((label, spoken[match]))
    # Which subject each person of the script was given: two people on one subject, or
    # one person spread over two subjects, are wrong.
    people: dict[str, set[str]] = {}
    for label, line in found:
        if line is not None and getattr(line, "speaker", None):
            person = label.get("as") or _fold(label["who"][0])
            people.setdefault(person, set()).add(str(line.speaker))
    owners: dict[str, set[str]] = {}
    for person, ids in people.items():
        for sid in ids:
            owners.setdefault(sid, set()).add(person)
    for label, line in found:
        score.lines += 1
        if line is None:
            continue
        accepted = {_fold(w) for w in label["who"]}
        speaker = getattr(line, "speaker", None)
        person = label.get("as") or _fold(label["who"][0])
        if speaker is None:
            right = "narrator" in accepted
            why = "spoken by the narrator"
        elif speaker not in subjects:
            right, why = False, f"speaker {speaker!r} is not a subject"
        else:
            names = _subject_names(subjects[speaker])
            right = _names_match(accepted, names)
            why = f"given to {speaker} ({'/'.join(sorted(names))})"
            if right and len(owners.get(speaker, ())) > 1:
                right, why = False, f"{speaker} also speaks for another person of the script"
            elif right and len(people.get(person, ())) > 1:
                right, why = False, f"{person} is split over {', '.join(sorted(people[person]))}"
        if right:
            score.lines_speaker_right += 1
        else:
            score.failures.append(f"line {label['text_contains']!r}: {why}, "
                                  f"wanted {'/'.join(label['who'])}")
        language = getattr(line, "language", None)
        if language_key(language) == language_key(label["language"]):
            score.lines_language_right += 1
        else:
            score.failures.append(f"line {label['text_contains']!r} tagged {language!r}, "
                                  f"wanted {label['language']!r}")


def score_title(row: dict[str, Any], plan: Any, score: Score) -> None:
    title = row.get("title")
    if not title:
        return
    score.title_labelled = True
    shown = [str(getattr(t, "text", "")) for shot in _shots(plan)
             for t in getattr(shot, "titles", None) or []]
    score.title_shown = any(_fold(title) in _fold(text) for text in shown)
    if not score.title_shown:
        score.failures.append(f"title {title!r} not shown"
                              + (f" (titles: {shown})" if shown else ""))


def measure_motion(plan: Any, score: Score) -> None:
    """Render the plan's frames and count the seconds in which nothing moves."""
    renderer = FrameRenderer(RenderInputs(plan=plan.to_dict()))
    total = renderer.frame_count
    fps = renderer.fps
    previous: np.ndarray | None = None
    previous_shot = -1
    steps: dict[int, list[float]] = {}
    for index in range(total):
        frame = np.asarray(renderer.render(index), dtype=np.int16)
        shot_index, _ = renderer.shot_at(index / fps)
        if previous is not None and shot_index == previous_shot:
            # A cut is not motion: only frames of the same shot are compared.
            steps.setdefault(index // fps, []).append(float(np.abs(frame - previous).mean()))
        previous, previous_shot = frame, shot_index
    levels = [float(np.mean(v)) for _, v in sorted(steps.items()) if v]
    score.rendered = True
    score.motion = [round(level, 3) for level in levels]
    score.seconds_measured = len(levels)
    score.still_seconds = sum(1 for level in levels if level < STILL)
    score.frozen = bool(levels) and score.still_seconds == len(levels)
    if score.frozen:
        score.failures.append("frozen: nothing moves in any second")
    elif score.still_seconds:
        score.failures.append(f"still for {score.still_seconds} of {len(levels)} seconds")


def evaluate(row: dict[str, Any], render: bool) -> Score:
    score = Score(id=row["id"], split=row["split"], lang=row["lang"], prompt=row["prompt"])
    start = time.perf_counter()
    try:
        plan = make_plan(row["prompt"], seconds=SECONDS, width=WIDTH, height=HEIGHT, fps=FPS,
                         seed=SEED)
    except Exception as exc:  # a planner bug is a finding, not the end of the run
        score.plan_seconds = time.perf_counter() - start
        score.things = len(row["must_show"])
        score.lines = len(row.get("speakers") or [])
        score.setting_labelled = bool(row.get("setting"))
        score.title_labelled = bool(row.get("title"))
        score.failures.append(f"make_plan raised {type(exc).__name__}: {exc}")
        return score
    score.plan_seconds = time.perf_counter() - start
    score.unknown = len(getattr(plan, "unknown_words", None) or [])
    score_things(row, plan, score)
    score_setting(row, plan, score)
    score_lines(row, plan, score)
    score_title(row, plan, score)
    if render and row.get("moves", True):
        try:
            measure_motion(plan, score)
        except Exception as exc:
            score.failures.append(f"rendering raised {type(exc).__name__}: {exc}")
    if getattr(plan, "understood", None):
        score.notes.append("understood: " + ", ".join(
            f"{k} -> {v}" for k, v in plan.understood.items()))
    return score


# --- the report ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}% ({part}/{whole})" if whole else "-"


METRICS: list[tuple[str, Callable[[list[Score]], str]]] = [
    ("prompts", lambda s: str(len(s))),
    ("things shown", lambda s: _share(sum(x.things_shown for x in s), sum(x.things for x in s))),
    ("settings right", lambda s: _share(sum(x.setting_right for x in s),
                                        sum(x.setting_labelled for x in s))),
    ("frozen clips", lambda s: (f"{sum(x.frozen for x in s)} of {sum(x.rendered for x in s)}"
                                if any(x.rendered for x in s) else "-")),
    ("clips with a still second", lambda s: (
        f"{sum(x.still_seconds > 0 for x in s)} of {sum(x.rendered for x in s)}"
        if any(x.rendered for x in s) else "-")),
    ("lines to right speaker", lambda s: _share(sum(x.lines_speaker_right for x in s),
                                                sum(x.lines for x in s))),
    ("line languages right", lambda s: _share(sum(x.lines_language_right for x in s),
                                              sum(x.lines for x in s))),
    ("titles shown", lambda s: _share(sum(x.title_shown for x in s),
                                      sum(x.title_labelled for x in s))),
    ("median unknown words", lambda s: (f"{statistics.median(x.unknown for x in s):g}"
                                        if s else "-")),
    ("mean plan time (ms)", lambda s: (f"{1000 * statistics.fmean(x.plan_seconds for x in s):.1f}"
                                       if s else "-")),
]


def report(scores: list[Score]) -> None:
    columns: list[tuple[str, list[Score]]] = []
    for split in ("tune", "unseen"):
        part = [s for s in scores if s.split == split]
        if part:
            columns.append((split, part))
    if len(columns) > 1:
        columns.append(("all", scores))
    english = [s for s in scores if s.lang == "en"]
    others = [s for s in scores if s.lang != "en"]
    if english and others:
        columns += [("English", english), ("non-English", others)]
    for lang in sorted({s.lang for s in others}):
        columns.append((lang, [s for s in others if s.lang == lang]))
    _table(columns[:5], "Figures")
    if len(columns) > 5:
        _table(columns[5:], "Per language (non-English)")


def _table(columns: list[tuple[str, list[Score]]], heading: str) -> None:
    cells = [[fn(part) for _, part in columns] for _, fn in METRICS]
    width = max(16, *(len(c) for row in cells for c in row), *(len(n) for n, _ in columns))
    label_width = max(len(name) for name, _ in METRICS)
    print(f"\n{heading}")
    print(" " * label_width + "  " + "  ".join(name.rjust(width) for name, _ in columns))
    for (name, _), row in zip(METRICS, cells, strict=True):
        print(name.ljust(label_width) + "  " + "  ".join(c.rjust(width) for c in row))


def load(path: Path = SET) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--split", choices=("tune", "unseen", "all"), default="all")
    parser.add_argument("--lang", help="only prompts in this language (en, ko, ja, cmn, es, "
                                       "fr, de, pt), or 'other' for every non-English one")
    parser.add_argument("--ids", help="only these prompt ids, comma-separated")
    parser.add_argument("--verbose", action="store_true", help="print what each prompt missed")
    parser.add_argument("--no-render", action="store_true", help="skip the motion check")
    parser.add_argument("--json", type=Path, help="write every prompt's scores here")
    parser.add_argument("--set", type=Path, default=SET, help="the labelled prompt set")
    args = parser.parse_args(argv)

    rows = load(args.set)
    if args.split != "all":
        rows = [r for r in rows if r["split"] == args.split]
    if args.lang:
        rows = [r for r in rows if (r["lang"] != "en" if args.lang == "other"
                                    else language_key(r["lang"]) == language_key(args.lang))]
    if args.ids:
        wanted = {i.strip() for i in args.ids.split(",")}
        rows = [r for r in rows if r["id"] in wanted]
    if not rows:
        sys.exit("No prompts match those options.")

    start = time.perf_counter()
    make_plan("a cat", seconds=SECONDS, width=WIDTH, height=HEIGHT, fps=FPS, seed=SEED)
    first = time.perf_counter() - start
    scores = []
    for row in rows:
        score = evaluate(row, render=not args.no_render)
        scores.append(score)
        if args.verbose and score.failures:
            print(f"{score.id} [{score.split} {score.lang}] {score.prompt[:90]!r}")
            for failure in score.failures:
                print(f"    {failure}")
            if score.things_shown < score.things:
                print(f"    (drawn: {', '.join(score.drawn) or 'nothing'})")
            for note in score.notes:
                print(f"    ({note})")
    elapsed = time.perf_counter() - start
    report(scores)
    print(f"\nfirst plan (loading): {first:.2f} s; whole run: {elapsed:.1f} s; "
          f"frames {WIDTH}x{HEIGHT} at {FPS} fps for {SECONDS} s, still below {STILL}")
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scores], ensure_ascii=False,
                                        indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
