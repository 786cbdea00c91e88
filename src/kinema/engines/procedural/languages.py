"""Prompts in other languages: which language a line is in, and an English gloss of a
prompt written wholly or partly in Korean, Japanese, Chinese, Spanish, French, German or
Portuguese, in the words and word order the planner reads.

The gloss is built from two sources: the names the ``emoji`` package gives every emoji
in each language (so "토끼", "ウサギ", "兔子", "conejo" all read as rabbit), and the
hand-written table ``data/gloss_words.txt`` of people, actions, places, times, weather,
colours, sizes, counts and relations. Korean is read word by word with its particles
(이/가, 을/를, 에서 ...) telling subject, object and place; Japanese and Chinese, which
have no spaces, are cut by longest match. Korean and Japanese put the verb last and
relative clauses first ("선글라스를 쓴 강아지가 달린다"), so each clause is rewritten as
subject, verb, object, place ("dog wearing sunglasses runs in the beach").
Quoted dialogue is kept verbatim.

Tables load on first use; importing this module is cheap.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

__all__ = ["GLOSSED_LANGUAGES", "Gloss", "detect_language", "gloss"]

_DATA = Path(__file__).resolve().parent / "data"
# The languages glossed, as eSpeak NG codes (the planner's language codes).
GLOSSED_LANGUAGES = ("ko", "ja", "cmn", "es", "fr", "de", "pt")
_CJK = frozenset(("ko", "ja", "cmn"))
_EMOJI_CODES = {"ko": "ko", "ja": "ja", "cmn": "zh", "es": "es", "fr": "fr", "de": "de",
                "pt": "pt"}


@dataclass(frozen=True)
class Gloss:
    """A prompt in English words. ``text`` is what the planner parses; ``language`` the
    prompt's language (eSpeak NG code, "en" when it was English already); ``notes`` the
    words translated, as ``(source, english)`` pairs in prompt order; ``unknown`` the
    source words nothing was known about (they are kept in ``text`` as written)."""

    text: str
    language: str
    notes: tuple[tuple[str, str], ...] = ()
    unknown: tuple[str, ...] = ()


# --------------------------------------------------------------------------- detection

# Languages the detector chooses among (py3langid codes); short lines are judged only
# among these, which keeps it fast and avoids exotic guesses for three-word lines.
_DETECTED = ("en", "es", "fr", "de", "pt", "it", "nl", "ru", "ko", "ja", "zh", "pl", "tr",
             "sv", "da", "ar", "hi", "vi", "id", "uk", "ca", "el", "he", "th")
_TO_ESPEAK = {"zh": "cmn", "nb": "nb", "no": "nb"}
_SCRIPTS: tuple[tuple[str, str], ...] = (
    (r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]", "ko"),
    (r"[\u3040-\u30ff]", "ja"),
    (r"[\u4e00-\u9fff]", "cmn"),
    (r"[\u0600-\u06ff]", "ar"),
    (r"[\u0590-\u05ff]", "he"),
    (r"[\u0370-\u03ff]", "el"),
    (r"[\u0900-\u097f]", "hi"),
    (r"[\u0e00-\u0e7f]", "th"),
)


_identifier_lock = threading.Lock()
_identifiers: list[Any] = []  # the one loaded identifier, once it is


def _identifier() -> Any:
    with _identifier_lock:  # loaded once, whether by preload_identifier or first use
        if not _identifiers:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(_DETECTED))
            _identifiers.append(identifier)
        return _identifiers[0]


# Prompts whose lines or words will need the detector: something quoted or said after a
# colon, or letters beyond ASCII.
_NEEDS_DETECTOR = re.compile(r"[\"“”«»「」『』„:：]|[^\x00-\x7f]")


def preload_identifier(prompt: str) -> threading.Thread | None:
    """Start loading the language detector (about half a second, mostly decompression,
    which runs beside the planning) when ``prompt`` will need it. The caller joins the
    thread before forking."""
    if _identifiers or not _NEEDS_DETECTOR.search(prompt or ""):
        return None
    loading = threading.Thread(target=_identifier, name="language-detector-load", daemon=True)
    loading.start()
    return loading


def detect_language(text: str, default: str = "en") -> str:
    """The language a line of dialogue or a prompt is written in, as an eSpeak NG code
    ("en", "es", "fr", "de", "pt", "it", "ko", "ja", "cmn", "ru", ...). Scripts used by
    one language decide at once; Latin and Cyrillic text goes to a statistical detector.
    Text too short or too unsure to tell gives ``default``."""
    for pattern, code in _SCRIPTS:
        if re.search(pattern, text):
            return code
    letters = re.sub(r"[\W\d_]+", " ", text).strip()
    if len(letters) < 4:
        return default
    if re.search(r"[¿¡ñ]", text):
        return "es"
    if re.search(r"[ãõ]", text):
        return "pt"
    if re.search(r"ß", text):
        return "de"
    if _plainly_english_line(letters):
        return "en"  # no detector to load for "What a lovely evening for a walk!"
    code, probability = _identifier().classify(letters)
    words = len(letters.split())
    # Measured on 308 lines of 1-12 words: below these the detector is wrong more often
    # than the default is.
    if probability < (0.6 if words <= 2 else 0.5):
        return default
    return _TO_ESPEAK.get(code, code)


# Words only English uses, and words of the other Latin-script languages that would make
# a line worth the detector even among English ones.
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ENGLISH_ONLY = _word_set("""
the is are was were it's i'm you're we're they're don't can't won't didn't isn't let's
this that what for by my your our his her its of to with you we they be do does did have
has not can will just so very too here there how why who when where all some any would
could should really never always again today tonight everyone everything something
nothing anyone please thanks thank hello hey okay yeah yes wow look come going gonna
wanna got get let me and but or if then than
""")
_NOT_ENGLISH = _word_set("""
el la los las es est le les der die das und ist nicht que de um uma não sim hola oui ja
nein por para con avec mit une ein eine ich du wir sie je tu nous vous eu você muito
mais pas il ce qui y en al del se lo mi tu su très bien gracias merci danke obrigado
ciao grazie sono questo
""")


def _plainly_english_line(letters: str) -> bool:
    """Whether a line of ASCII words is plainly English: at least two words and two
    fifths of them only English has, and none that another language would claim."""
    if not letters.isascii():
        return False
    words = letters.lower().split()
    english = sum(1 for w in words if w in _ENGLISH_ONLY)
    return english >= 2 and english >= 0.4 * len(words) and not any(
        w in _NOT_ENGLISH for w in words)


# --------------------------------------------------------------------------- tables

@dataclass(frozen=True)
class _Entry:
    english: str
    kind: str  # people noun verb speech place time adj count rel


_KINDS = ("people", "noun", "verb", "speech", "place", "time", "adj", "count", "rel", "pron")


@cache
def _table_rows() -> list[tuple[str, str, list[list[str]]]]:
    rows: list[tuple[str, str, list[list[str]]]] = []
    kind = "noun"
    text = (_DATA / "gloss_words.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            kind = line[1:].strip()
            continue
        cells = [c.strip() for c in line.split("|")]
        english, rest = cells[0], cells[1:]
        rows.append((english, kind, [[] if c == "-" else c.split() for c in rest]))
    return rows


_HANGUL_BASE = 0xAC00


def _jamo(syllable: str) -> tuple[int, int, int] | None:
    code = ord(syllable) - _HANGUL_BASE
    if not 0 <= code < 11172:
        return None
    return code // 588, (code % 588) // 28, code % 28


def _compose(lead: int, vowel: int, tail: int) -> str:
    return chr(_HANGUL_BASE + lead * 588 + vowel * 28 + tail)


# Vowel changes when -아/-어 joins a stem that ends in a vowel (리 -> 려, 추 -> 춰).
_KO_CONTRACT = {20: 6, 13: 14, 8: 9, 18: 4, 0: 0, 4: 4, 1: 1, 5: 5}


def _korean_forms(stem: str) -> list[str]:
    """The shapes a Korean verb stem takes at the start of its forms: the stem, with
    ㄴ/ㄹ/ㅁ joined (달린, 달릴, 달림), and contracted with -아/-어 (달려, 했)."""
    forms = [stem]
    parts = _jamo(stem[-1])
    if parts is None:
        return forms
    lead, vowel, tail = parts
    head = stem[:-1]
    if tail == 0:
        # -ㄴ/-ㄹ (달린, 달릴) and the -ㅁ of notes and captions (말함, 달림)
        forms += [head + _compose(lead, vowel, t) for t in (4, 8, 16)]
        if lead == 18 and vowel == 0:  # 하 -> 해, 했
            forms += [head + "해", head + "했"]
        elif vowel in _KO_CONTRACT:
            contracted = _compose(lead, _KO_CONTRACT[vowel], 0)
            forms += [head + contracted, head + _compose(lead, _KO_CONTRACT[vowel], 20)]
    elif tail == 8:  # ㄹ stems drop it before ㄴ: 날 -> 나는, 난
        forms += [head + _compose(lead, vowel, 0) + "는", head + _compose(lead, vowel, 4)]
    return forms


_ES_PT_ENDINGS = {
    "ar": ("a", "an", "am", "ando", "ado", "ada", "ó", "ou", "as", "o"),
    "er": ("e", "en", "em", "iendo", "endo", "ido", "ida", "ió", "eu", "es", "o"),
    "ir": ("e", "en", "em", "iendo", "indo", "ido", "ida", "ió", "iu", "es", "o"),
}
_FR_ENDINGS = {"er": ("e", "es", "ent", "é", "ée", "és", "ant", "ons", "ez"),
               "ir": ("it", "issent", "i", "ie", "issant", "is"),
               "re": ("", "s", "ent", "u", "ant")}


def _latin_forms(language: str, word: str) -> list[str]:
    """An infinitive and its regular forms (third person, plural, gerund, participle)."""
    forms = [word]
    if " " in word:  # "jugar al golf": the first word takes the forms
        first, rest = word.split(" ", 1)
        return [f"{form} {rest}" for form in _latin_forms(language, first)]
    if language in ("es", "pt"):
        reflexive = word.endswith("se")
        base = word[:-2] if reflexive else word
        ending = base[-2:]
        if ending in _ES_PT_ENDINGS:
            stem = base[:-2]
            forms += [stem + e for e in _ES_PT_ENDINGS[ending]]
            if reflexive:
                gerund = {"ar": "ándose", "er": "iéndose", "ir": "iéndose"}[ending]
                forms += [base, stem + gerund, "se " + stem + _ES_PT_ENDINGS[ending][0]]
    elif language == "fr":
        for ending, suffixes in _FR_ENDINGS.items():
            if word.endswith(ending):
                forms += [word[: -len(ending)] + s for s in suffixes]
                break
    elif language == "de" and word.endswith("en"):
        stem = word[:-2]
        forms += [stem + "t", stem + "e", stem + "end", stem + "st", "ge" + stem + "t",
                  stem + "et"]
    elif language == "de" and word.endswith(("ern", "eln")):
        forms += [word[:-1] + "t", word[:-1] + "nd", "ge" + word[:-1] + "t"]
    return [f for f in forms if f]


def _key(language: str, word: str) -> str:
    word = word.replace("_", " ")
    return word if language in _CJK else word.lower()


@cache
def _glyph_english() -> dict[str, str]:
    """Each emoji -> the English noun for it the planner understands."""
    import emoji

    from kinema.engines.procedural import vocabulary

    index = vocabulary._noun_index()
    by_glyph: dict[str, list[str]] = {}
    for name, glyph in index.items():
        by_glyph.setdefault(glyph, []).append(name)
    everyday: dict[str, list[str]] = {}
    for name, glyph in vocabulary._EVERYDAY_NAMES.items():
        everyday.setdefault(glyph, []).append(name)
    out: dict[str, str] = {}
    for glyph, names in by_glyph.items():
        data = emoji.EMOJI_DATA.get(glyph, {})
        primary = data.get("en", "").strip(":").lower().replace("_", " ")
        daily = everyday.get(glyph)
        if daily:
            out[glyph] = primary if primary in daily else min(daily, key=len)
        elif primary in names:
            out[glyph] = primary
        else:
            out[glyph] = min(names, key=len)
    return out


_FACE_WORDS = {"ko": ("_얼굴", " 얼굴"), "ja": ("の顔", "顔"), "cmn": ("脸", "的脸"),
               "es": ("cara de ", "cara_de_"), "fr": ("tête de ", "tête_de_"),
               "de": ("gesicht", "kopf"), "pt": ("rosto de ", "rosto_de_")}


@cache
def _lexicon(language: str) -> dict[str, _Entry]:
    """Every way ``language`` says something the planner understands -> the English."""
    column = GLOSSED_LANGUAGES.index(language)
    table: dict[str, _Entry] = {}
    # 1. The hand-written table wins over emoji names; a word that is both a thing and a
    # verb form ("cocina": kitchen, cooks) is read as the thing, see ``_verb_readings``.
    rows = sorted(_table_rows(), key=lambda row: {"speech": 1, "verb": 2}.get(row[1], 0))
    for english, kind, cells in rows:
        words = cells[column] if column < len(cells) else []
        for word in words:
            if kind in ("verb", "speech"):
                forms = (_korean_forms(word) if language == "ko" else
                         [word] if language in _CJK else
                         _latin_forms(language, word.replace("_", " ")))
            else:
                forms = [word]
            for form in forms:
                table.setdefault(_key(language, form), _Entry(english, kind))
    # 2. Emoji names in the language: nouns (not the people doing things, whose names
    # would swallow verbs: "玩球" is someone bouncing a ball, not "play ball").
    import emoji

    path = Path(emoji.__file__ or "").resolve().parent / "unicode_codes"
    names = json.loads((path / f"emoji_{_EMOJI_CODES[language]}.json").read_text("utf-8"))
    english_of = _glyph_english()
    for glyph, raw in names.items():
        found = english_of.get(glyph)
        if found is None or re.match(r"(person|man|woman|people|men|women) ", found) or \
                found.endswith(" button"):
            continue
        name = raw.strip(":")
        for face in _FACE_WORDS[language]:
            name = name.replace(face, "")
        english = found[: -len(" face")] if found.endswith(" face") else found
        name = name.strip("_ ")
        if language in ("ja", "cmn"):
            name = name.replace("_", "")
        if not name or len(name.split("_")) > 3 or (
                language in _CJK and len(name) < 2 and not "\u4e00" <= name <= "\u9fff"):
            continue
        table.setdefault(_key(language, name), _Entry(english, "noun"))
    return table


@cache
def _verb_readings(language: str) -> dict[str, str]:
    """Verb forms that are spelt like a thing or place in the table ("cocina")."""
    column = GLOSSED_LANGUAGES.index(language)
    lex = _lexicon(language)
    out: dict[str, str] = {}
    for english, kind, cells in _table_rows():
        if kind != "verb" or column >= len(cells):
            continue
        for word in cells[column]:
            for form in _latin_forms(language, word.replace("_", " ")):
                key = _key(language, form)
                if lex.get(key, _Entry("", "verb")).kind != "verb":
                    out.setdefault(key, english)
    return out


@cache
def _longest_key(language: str) -> int:
    return max(len(k) for k in _lexicon(language)) if language in _CJK else max(
        len(k.split()) for k in _lexicon(language))


# --------------------------------------------------------------------------- tokens

@dataclass
class _Token:
    source: str
    english: str
    kind: str
    role: str | None = None  # subj obj loc with poss
    adnominal: bool = False
    count: str | None = None
    mods: list[str] = field(default_factory=list)
    rel: str | None = None
    args: list[_Token] = field(default_factory=list)
    gerund: bool = False


_NUMBER_WORDS = {"1": "a", "2": "two", "3": "three", "4": "four", "5": "five",
                 "many": "many"}
_QUOTE = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»|「[^」]*」|『[^』]*』|„[^“”]*[“”]'
                    r"|(?<![\w])'[^']+'(?![\w])")

# Korean particles, longest first, and what they say about the word before them.
_KO_PARTICLES = (
    ("에서는", "loc"), ("에서도", "loc"), ("에서", "loc"), ("으로", "loc"), ("에게", "loc"),
    ("한테", "loc"), ("까지", None), ("부터", None), ("이랑", "with"), ("하고", "with"),
    ("처럼", None), ("에는", "loc"), ("에도", "loc"),
    ("이", "subj"), ("가", "subj"), ("은", "subj"), ("는", "subj"), ("을", "obj"),
    ("를", "obj"), ("에", "loc"), ("와", "with"), ("과", "with"), ("랑", "with"),
    ("의", "poss"), ("도", "subj"), ("로", "loc"), ("들", None),
)
_JA_PARTICLES = (
    ("から", None), ("まで", None), ("には", "loc"), ("では", "loc"), ("での", "loc"),
    ("への", "loc"), ("たち", None), ("達", None), ("が", "subj"), ("は", "subj"),
    ("も", "subj"), ("を", "obj"), ("に", "loc"), ("で", "loc"), ("へ", "loc"),
    ("と", "with"), ("の", "poss"),
)
# What Chinese names and nicknames often start with: 小明, 老王, 阿强.
_ZH_NAME_PREFIXES = frozenset(("小", "老", "阿"))
_ZH_SKIP = frozenset("着了过的地得是有正在把被一也都很就还又再这那些个们时候")
_ZH_LOC_MARKERS = ("在", "于", "从", "到")
_DO_VERBS = {
    "ko": re.compile(r"^(하|한|할|해|했|합|하는|하고|하며|있|있는|있어|있다|있습|되|된|된다)"),
    "ja": re.compile(r"^(する|した|して|しま|している|します|いる|います|ている|てる)"),
}


def _strip_ko_particle(word: str, lex: dict[str, _Entry] | None = None
                       ) -> tuple[str, str | None, str]:
    """``(stem, role, particle)``; with ``lex``, the first split whose stem is known."""
    first: tuple[str, str | None, str] | None = None
    for particle, role in _KO_PARTICLES:
        if word.endswith(particle) and len(word) > len(particle):
            split = (word[: -len(particle)], role, particle)
            if lex is None or split[0] in lex:
                return split
            if split[0].endswith("들") and split[0][:-1] in lex:  # plural -들
                return (split[0][:-1], role, particle)
            first = first or split
    return first or (word, None, "")


# The syllables a Korean verb ending starts with (after the stem or its contracted form).
_KO_ENDING_STARTS = frozenset("다는고어아여었았였요며면서지게기자라니습세시겠던죠네든도은을")


def _ko_ending_is_adnominal(word: str) -> bool:
    if word.endswith(("다", "요", "니다", "고", "서", "며", "면", "지", "게", "자", "라")):
        return False
    parts = _jamo(word[-1])
    return word.endswith(("는", "은", "던")) or (parts is not None and parts[2] in (4, 8))


def _tokens_ko(text: str) -> tuple[list[_Token], list[str]]:
    lex = _lexicon("ko")
    tokens: list[_Token] = []
    unknown: list[str] = []
    words = text.split()
    i = 0
    while i < len(words):
        raw = words[i]
        word = raw.strip(".,!?;:…~")
        boundary = raw != word and bool(re.search(r"[.!?;…]", raw))
        # Two words as one ("남자 아이", "사진을 찍"): try the pair first.
        if i + 1 < len(words):
            pair = word + " " + words[i + 1].strip(".,!?;:…~")
            stem, role, _ = _strip_ko_particle(pair)
            if stem in lex and " " in stem:
                entry = lex[stem]
                tokens.append(_Token(pair, entry.english, entry.kind, role=role))
                i += 2
                continue
        if _DO_VERBS["ko"].match(word) and tokens and tokens[-1].kind == "verb":
            tokens[-1].adnominal = _ko_ending_is_adnominal(word)
            i += 1
            continue
        token = _read_ko_word(word, lex)
        if token is None:
            if _DO_VERBS["ko"].match(word):
                i += 1
                continue
            # A compound of two known words ("밤하늘": night + sky), else a name or a
            # word nothing knows, without its particle ("철수가" -> 철수).
            stem, role, _ = _strip_ko_particle(word)
            parts = _compound(stem, lex)
            if parts:
                tokens += parts
                tokens[-1].role = role
            else:
                unknown.append(stem)
                tokens.append(_Token(stem, stem, "unknown", role=role))
        else:
            tokens.append(token)
        if boundary:
            tokens.append(_Token(raw[-1], ".", "stop"))
        i += 1
    return tokens, unknown


def _read_ko_word(word: str, lex: dict[str, _Entry]) -> _Token | None:
    if word in lex:
        entry = lex[word]
        return _Token(word, entry.english, entry.kind,
                      adnominal=entry.kind == "verb" and _ko_ending_is_adnominal(word))
    stem, role, _ = _strip_ko_particle(word, lex)
    as_noun = None
    if stem in lex and lex[stem].kind not in ("verb", "speech"):
        entry = lex[stem]
        as_noun = _Token(word, entry.english, entry.kind, role=role)
    # A verb or adjective with its ending: the longest known start ("말하고" is
    # "says and", not "말" a horse with "하고").
    for n in range(len(word), len(stem) if as_noun else 0, -1):
        start = lex.get(word[:n])
        if start is None:
            continue
        entry, rest = start, word[n:]
        if entry.kind in ("verb", "speech"):
            if rest and rest in ("을", "를", "도", "은"):  # a verbal noun: "요리를 한다"
                return _Token(word, entry.english, entry.kind)
            if not rest or rest[0] in _KO_ENDING_STARTS:
                return _Token(word, entry.english, entry.kind,
                              adnominal=_ko_ending_is_adnominal(word))
            continue
        if entry.kind != "verb":
            role = next((r for p, r in _KO_PARTICLES if rest == p), None)
            if rest.startswith("들"):
                role = next((r for p, r in _KO_PARTICLES if rest[1:] == p), None)
            if not rest or any(rest in (p, "들" + p, "들") for p, _ in _KO_PARTICLES):
                return _Token(word, entry.english, entry.kind, role=role)
            if entry.kind in ("adj", "count", "time", "rel") and n >= 1 and len(rest) <= 2:
                return _Token(word, entry.english, entry.kind)
    return as_noun


_COMPOUND_KINDS = frozenset(("noun", "people", "place", "time", "adj"))


def _compound(word: str, lex: dict[str, _Entry]) -> list[_Token]:
    """A word made of two known words, each at least one syllable ("밤하늘": 밤 night +
    하늘 sky, "눈사람" is listed whole). The second part is the head."""
    for cut in range(len(word) - 1, 0, -1):
        first, second = lex.get(word[:cut]), lex.get(word[cut:])
        if first and second and first.kind in _COMPOUND_KINDS and \
                second.kind in _COMPOUND_KINDS and len(word) >= 3:
            return [_Token(word[:cut], first.english, first.kind),
                    _Token(word[cut:], second.english, second.kind)]
    return []


def _is_hiragana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u309f"


def _tokens_cjk(text: str, language: str) -> tuple[list[_Token], list[str]]:
    """Japanese or Chinese by longest match, with particles read as roles."""
    lex = _lexicon(language)
    longest = _longest_key(language)
    tokens: list[_Token] = []
    unknown: list[str] = []
    pending_role_loc = False
    i, n = 0, len(text)
    run = ""

    def flush_unknown() -> None:
        nonlocal run
        if run:
            if language == "cmn" and tokens and tokens[-1].source in _ZH_NAME_PREFIXES \
                    and len(run) <= 2:
                run = tokens.pop().source + run  # "小明", "老王": a name, not "small 明"
            unknown.append(run)
            tokens.append(_Token(run, run, "unknown"))
            run = ""

    def head_of_run(word: str) -> None:
        """An unknown run followed by a known noun is one compound ("柯基" + "犬")."""
        nonlocal run
        if run and lex[word].kind in ("noun", "people"):
            tokens.append(_Token(run + word, lex[word].english, lex[word].kind))
            run = ""
            return
        flush_unknown()
        tokens.append(_Token(word, lex[word].english, lex[word].kind))

    while i < n:
        ch = text[i]
        if ch.isspace() or ch in "、，,":
            flush_unknown()
            i += 1
            continue
        if ch in "。．.!！?？;；…":
            flush_unknown()
            tokens.append(_Token(ch, ".", "stop"))
            i += 1
            continue
        # Particles right after a word.
        if language == "ja" and tokens and tokens[-1].kind not in ("stop",) and not run:
            matched = False
            for particle, role in _JA_PARTICLES:
                if text.startswith(particle, i) and not _lex_word_at(lex, text, i, longest,
                                                                       particle):
                    if role is not None and tokens[-1].kind != "verb":
                        if role == "poss" and tokens[-1].role:
                            pass
                        else:
                            tokens[-1].role = role
                    i += len(particle)
                    matched = True
                    break
            if matched:
                continue
        if language == "ja" and tokens and tokens[-1].kind == "verb" and _DO_VERBS["ja"].match(
                text[i:]):
            m = _DO_VERBS["ja"].match(text[i:])
            assert m is not None
            i += len(m.group(0))
            continue
        if language == "cmn":
            if ch in _ZH_LOC_MARKERS and not _lex_word_at(lex, text, i, longest, ch):
                flush_unknown()
                pending_role_loc = True
                i += 1
                continue
            if ch == "的" and tokens:
                flush_unknown()
                tokens.append(_Token(ch, "", "de"))
                i += 1
                continue
            if ch in _ZH_SKIP and not _lex_word_at(lex, text, i, longest, ch):
                flush_unknown()
                i += 1
                continue
        word = _lex_word_at(lex, text, i, longest, "")
        if word:
            entry = lex[word]
            head_of_run(word)
            token = tokens.pop()
            if pending_role_loc and entry.kind in ("place", "noun", "people"):
                token.role = "loc"
            pending_role_loc = False  # "在聊天": 在 before a verb says "now", not where
            i += len(word)
            if language == "ja" and entry.kind in ("verb", "speech", "adj"):
                while i < n and _is_hiragana(text[i]) and not (
                        entry.kind == "adj" and text[i] in "のがをにで"):
                    if text[i] in "をが" and entry.kind == "verb" and i + 1 < n and \
                            not _is_hiragana(text[i + 1]):
                        break
                    i += 1
            tokens.append(token)
            continue
        if language == "ja" and _is_hiragana(ch):
            flush_unknown()
            i += 1
            continue
        run += ch
        i += 1
    flush_unknown()
    # Japanese and Chinese verbs directly before a noun modify it.
    for k, token in enumerate(tokens):
        if token.kind != "verb":
            continue
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if language == "ja" and nxt is not None and nxt.kind in ("noun", "people", "place"):
            token.adnominal = True
    if language == "cmn":
        # V (objects) 的 N: the verb modifies N. Put it as Korean and Japanese have it,
        # objects first, then the verb, then N, so one rule reads all three.
        k = 0
        while k < len(tokens):
            token = tokens[k]
            if token.kind == "verb" and not token.adnominal:
                for j in range(k + 1, min(k + 4, len(tokens) - 1)):
                    if tokens[j].kind == "de":
                        if tokens[j + 1].kind in ("noun", "people", "place"):
                            token.adnominal = True
                            tokens.insert(j, tokens.pop(k))
                            k = j
                        break
                    if tokens[j].kind in ("verb", "stop"):
                        break
            k += 1
    return [t for t in tokens if t.kind != "de"], unknown


def _lex_word_at(lex: dict[str, _Entry], text: str, i: int, longest: int, skip: str) -> str:
    """The longest table word starting at ``i`` that is longer than ``skip``."""
    for size in range(min(longest, len(text) - i), len(skip), -1):
        chunk = text[i: i + size]
        if chunk in lex:
            return chunk
    return ""


_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9]+(?:[-'’][A-Za-zÀ-ÖØ-öø-ÿ0-9]+)*|[.!?;,]")
_ELISION = re.compile(r"^(l|d|s|n|j|qu|m|t|c)['’](.+)$", re.I)
_LATIN_DROP = {
    "es": "el la los las lo le les del de que y a al se muy mientras está están es son hay un_poco "
          "su sus mi mis tu tus lleno llena su unos unas",
    "fr": "le la les l de du des d que qui et se s est sont il y a très un_peu en son sa ses "
          "mon ma mes ton ta tes plein pleine",
    "de": "der die das den dem des und sich ist sind sehr es einen dass wie sein seine ihr "
          "ihre mein meine voller voll",
    "pt": "o a os as do da dos das de que e se é são está estão muito num numa seu sua seus "
          "suas meu minha cheio cheia uns umas",
}
_ENGLISH_HINT = re.compile(r"^[a-z]+$")
_LATIN_DROP_WORDS = {language: frozenset(words.split())
                     for language, words in _LATIN_DROP.items()}


def _tokens_latin(text: str, language: str) -> tuple[list[_Token], list[str]]:
    lex = _lexicon(language)
    longest = _longest_key(language)
    drop = frozenset(w.replace("_", " ") for w in _LATIN_DROP.get(language, "").split())
    raw_words: list[str] = []
    for word in _LATIN_WORD.findall(text):
        m = _ELISION.match(word)
        if m and m.group(2).lower() not in ("eau",) and word.lower() not in lex:
            raw_words += [m.group(1) + "'", m.group(2)]
        else:
            raw_words.append(word)
    words = [w.lower().replace("’", "'") for w in raw_words]
    tokens: list[_Token] = []
    unknown: list[str] = []
    i = 0
    while i < len(words):
        if words[i] in ".!?;":
            tokens.append(_Token(words[i], ".", "stop"))
            i += 1
            continue
        if words[i] == ",":
            i += 1
            continue
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = " ".join(words[i: i + size])
            if phrase not in lex and size == 1:
                phrase = _latin_stem(phrase, lex, language, raw_words[i][:1].isupper())
            if phrase in lex:
                entry = lex[phrase]
                verb = _verb_readings(language).get(phrase) if size == 1 else None
                if verb and tokens and tokens[-1].kind in ("noun", "people") and (
                        i == 0 or words[i - 1] not in drop):
                    entry = _Entry(verb, "verb")
                token = _Token(" ".join(raw_words[i: i + size]), entry.english, entry.kind)
                token.gerund = bool(re.search(r"(ando|endo|indo|iendo|ándose|iéndose|ant)$",
                                              phrase))
                tokens.append(token)
                i += size
                break
        else:
            word = words[i]
            if word in drop or word.endswith("'"):
                pass
            elif word.isdigit() or (_ENGLISH_HINT.match(word) and _english_word(word)):
                tokens.append(_Token(raw_words[i], word, "english"))
            else:
                unknown.append(raw_words[i])
                tokens.append(_Token(raw_words[i], raw_words[i], "unknown"))
            i += 1
    # Romance adjectives follow their noun: move them in front ("un perro negro").
    if language in ("es", "fr", "pt"):
        k = 1
        while k < len(tokens):
            if tokens[k].kind == "adj" and tokens[k - 1].kind in ("noun", "people"):
                j = k - 1
                tokens[j], tokens[k] = tokens[k], tokens[j]
            k += 1
    return tokens, unknown


_STEM_ENDINGS = {
    "de": ("en", "n", "e", "es", "s", "er", "em"), "es": ("es", "s"), "pt": ("es", "s"),
    "fr": ("s", "x", "es"),
}


def _latin_stem(word: str, lex: dict[str, _Entry], language: str,
                capitalised: bool = False) -> str:
    """A declined or plural form's table word ("Bergen" -> "berg", "gatas" -> "gata")."""
    for ending in _STEM_ENDINGS.get(language, ()):
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) > 2 and stem in lex and lex[stem].kind != "verb":
            return stem
    if language == "de" and capitalised and len(word) > 6:
        # A compound noun's last part names it: "Restaurantküche" is a kitchen. German
        # nouns are capitalised, which keeps adjectives ("futuristischen") out.
        for start in range(2, len(word) - 3):
            head = word[start:]
            for candidate in (head, *(head[: -len(e)] for e in _STEM_ENDINGS["de"]
                                      if head.endswith(e))):
                if candidate in lex and lex[candidate].kind in ("noun", "people", "place"):
                    return candidate
    for ending in _STEM_ENDINGS.get(language, ()):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            if stem in lex and lex[stem].kind != "verb":
                return stem
            if language == "de":
                plain = stem.replace("ä", "a").replace("ö", "o").replace("ü", "u")
                if plain in lex and lex[plain].kind != "verb":
                    return plain
    return word


@lru_cache(maxsize=4096)
def _english_word(word: str) -> bool:
    """Whether a word in a mixed prompt is English the planner may know."""
    from kinema.engines.procedural import lexicon, vocabulary

    tables = (lexicon.STOPWORDS, lexicon.ACTION_WORDS, lexicon.STYLE_PHRASES,
              lexicon.CAMERA_PHRASES, lexicon.MOOD_WORDS, lexicon.TIME_PHRASES,
              lexicon.WEATHER_PHRASES, lexicon.COLORS, lexicon.SIZES, lexicon.NUMBERS)
    if any(word in table for table in tables) or re.fullmatch(r"\d+k|\d+", word):
        return True
    return (vocabulary.resolve_subject(word, by_meaning=False) is not None
            or vocabulary.resolve_place(word, by_meaning=False) is not None)


# --------------------------------------------------------------------------- english

def _verb_form(verb: str, tag: str) -> str:
    import lemminflect

    head, _, rest = verb.partition(" ")
    forms = lemminflect.getInflection(head, tag)
    return (forms[0] if forms else head) + (" " + rest if rest else "")


def _plural(noun: str) -> str:
    import lemminflect

    *first, last = noun.split()
    if last in _SAME_PLURAL or last.endswith("s"):
        return noun
    if last == "person":
        return " ".join([*first, "people"])
    forms = lemminflect.getInflection(last, "NNS")
    return " ".join([*first, forms[0] if forms else last + "s"])


_SAME_PLURAL = {"fish", "sheep", "deer", "people", "bison", "moose", "squid", "shrimp"}


def _noun_phrase(token: _Token) -> str:
    if token.kind == "unknown":
        return token.english
    words: list[str] = []
    if token.rel:
        words.append(token.rel)
    noun = token.english
    count = token.count
    if token.kind == "place":
        if not token.rel:
            words.append("in")
        words.append("the")
    elif count is not None:
        words.append(_NUMBER_WORDS.get(count, count))
    else:
        words.append("" if noun.endswith(_NO_ARTICLE) else
                     "a" if token.kind in ("noun", "people") else
                     "the" if token.kind == "place-noun" else "")
    words += token.mods
    if count not in (None, "1") and token.kind in ("noun", "people"):
        noun = _plural(noun)
    words.append(noun)
    for arg in token.args:
        if arg.kind == "verb":
            words.append(_verb_form(arg.english, "VBG"))
        else:
            words.append(_noun_phrase(arg))
    return " ".join(w for w in words if w)


_NOMINAL = ("noun", "people", "place")
_PREPOSITIONS = frozenset(("on", "in", "under", "over", "at", "next to", "in front of",
                           "behind", "through", "during", "into", "near", "inside"))
_NO_ARTICLE = ("glasses", "headphones", "jeans", "pants", "shorts", "scissors", "water")
_VEHICLES = frozenset(("car", "bus", "truck", "train", "motorcycle", "bicycle", "taxi",
                       "racing car", "police car", "ambulance", "tractor", "fire engine"))


# People words that, before another noun, say which one it is, not who else is there.
_NOUN_MODIFIERS = frozenset(("baby", "mother", "father", "mom", "dad", "grandma", "grandpa",
                             "child", "boy", "girl", "king", "queen", "prince", "princess"))


def _phrases(tokens: list[_Token]) -> list[_Token]:
    """Counts, adjectives and relations joined to their nouns."""
    out: list[_Token] = []
    pending_mods: list[str] = []
    pending_count: str | None = None
    pending_rel: str | None = None
    for token in tokens:
        if token.kind == "counter":
            if out and out[-1].kind in ("noun", "people") and token.role:
                out[-1].role = token.role
            continue
        if token.kind == "count":
            if out and out[-1].kind in ("noun", "people") and out[-1].count is None and \
                    not pending_mods:
                out[-1].count = token.english  # "고양이 두 마리", "猫が二匹"
                if token.role:
                    out[-1].role = token.role
            else:
                pending_count = token.english
            continue
        if token.kind == "adj":
            pending_mods.append(token.english)
            continue
        if token.kind == "rel" and token.english in ("on", "in", "under", "next to",
                                                     "in front of", "behind", "over",
                                                     "through"):
            # Korean and Japanese place words after their noun ("성 위를", "城の上").
            if token.english == "on" and token.role == "obj":
                token.english = "over"  # "城の上を飛ぶ": across the top of it
            if out and out[-1].kind in _NOMINAL and out[-1].role in ("poss", None, "loc") \
                    and out[-1].rel is None and not pending_mods:
                out[-1].rel = token.english
                out[-1].role = token.role or "loc"
                if out[-1].kind != "place":
                    out[-1].kind = "place-noun"
            else:
                pending_rel = token.english
            continue
        if token.kind == "noun" and out and out[-1].kind in ("noun", "people") \
                and out[-1].role is None and out[-1].count is None and token.count is None \
                and out[-1].english in _NOUN_MODIFIERS:
            # "아기 펭귄", "엄마 펭귄": a baby penguin, a mother penguin; one animal each.
            head = out.pop()
            token.mods = [*head.mods, head.english]
            token.count = head.count
            token.source = f"{head.source} {token.source}"
            out.append(token)
            continue
        if token.kind in ("noun", "people", "place"):
            token.mods = pending_mods
            token.count = pending_count
            if pending_rel:
                token.rel = pending_rel
                if token.kind != "place":
                    token.kind = "place-noun"
                token.role = token.role or "loc"
            pending_mods, pending_count, pending_rel = [], None, None
        elif token.kind == "rel" and token.english in ("with", "and"):
            if out and out[-1].kind in _NOMINAL:
                out[-1].role = out[-1].role or "with"
            out.append(token)
            continue
        out.append(token)
    if pending_mods:
        out.append(_Token("", " ".join(pending_mods), "time"))
    return out


def _compose_sov(tokens: list[_Token], language: str) -> str:
    """Clauses as subject, verb, object, place."""
    items = _phrases(tokens)
    # 1. Relative clauses: the verb and its arguments join the noun after it.
    k = 0
    while k < len(items):
        item = items[k]
        if item.kind == "verb" and item.adnominal:
            head_at = next((j for j in range(k + 1, len(items))
                            if items[j].kind in ("noun", "people", "place", "place-noun")),
                           None)
            if head_at is not None and head_at <= k + 2:
                args: list[_Token] = []
                j = k - 1  # O V N: the objects before the verb are its own
                while j >= 0 and items[j].kind in ("noun", "people", "place",
                                                   "place-noun") and items[j].role in (
                        "obj", "loc", None) and len(args) < 2:
                    if items[j].role == "loc" and args:
                        break  # a place before the object belongs to the main clause
                    args.insert(0, items[j])
                    j -= 1
                del items[j + 1: k]
                head_at -= k - (j + 1)
                k = j + 1
                head = items[head_at]
                head.args = [_Token(item.source, item.english, "verb"), *args]
                del items[k]
                continue
        k += 1
    # 2. Each clause in English order.
    clauses: list[list[_Token]] = [[]]
    for item in items:
        if item.kind == "stop":
            clauses.append([])
            continue
        if language != "cmn" and item.role == "subj" and clauses[-1] and \
                clauses[-1][-1].kind in ("verb", "speech"):
            # "엄마가 말하자 아빠가 …": a verb then a new subject starts another clause.
            clauses.append([])
        clauses[-1].append(item)
    out: list[str] = []
    for clause in clauses:
        if clause:
            out.append(_clause_english(clause, language))
    return ". ".join(o for o in out if o)


def _clause_english(clause: list[_Token], language: str) -> str:
    subjects: list[_Token] = []
    verbs: list[_Token] = []
    objects: list[_Token] = []
    places: list[_Token] = []
    others: list[str] = []
    addressed: list[_Token] = []  # "小猫对小狗说": the cat says to the dog
    seen_verb = False
    for at, item in enumerate(clause):
        told = at > 0 and clause[at - 1].kind == "rel" and clause[at - 1].english == "to"
        if told and item.kind in ("noun", "people"):
            addressed.append(item)
        elif item.kind in ("verb", "speech"):
            if not verbs or verbs[-1].english != item.english:
                verbs.append(item)
            seen_verb = True
        elif item.kind in ("place", "place-noun") or (item.role == "loc" and item.kind == "place"):
            places.append(item)
        elif item.kind in ("noun", "people") or (item.kind == "unknown" and item.role in (
                "subj", "obj", "with")) or (  # a name: "철수가 뛴다" -> "철수 runs"
                language == "cmn" and item.kind == "unknown" and not seen_verb
                and not subjects):  # "小明说": 小明 says
            if item.role == "loc":
                places.append(item)
                item.rel = item.rel or "at"
            elif item.role == "obj" or (language == "cmn" and seen_verb and item.role != "subj"):
                objects.append(item)
            elif item.role in ("subj", "with") or not seen_verb or language != "cmn":
                subjects.append(item)
            else:
                objects.append(item)
        elif item.kind in ("time", "english", "unknown"):
            others.append(item.english)
        elif item.kind == "rel" and item.english in ("with", "and"):
            continue
        elif item.kind == "count":
            others.append(_NUMBER_WORDS.get(item.english, item.english))
    if not subjects and objects and not verbs:
        subjects, objects = objects, []
    words: list[str] = []
    if language in ("ko", "ja") and subjects and not verbs:
        # "도서관에서 사서가 「…」": the words before a line end with who says it.
        words += [_noun_phrase(p) for p in places if p.kind == "place"]
        places = [p for p in places if p.kind != "place"]
    if subjects:
        words.append(" and ".join(_noun_phrase(s) for s in subjects))
        if subjects[0].english in _VEHICLES:  # a car that "runs" drives
            for verb in verbs:
                if verb.english in ("run", "walk"):
                    verb.english = "drive"
    for index, verb in enumerate(verbs):
        tag = "VBZ" if subjects and not (len(subjects) > 1 or subjects[0].count not in (
            None, "1")) else "VBP"
        if verb.kind == "speech":
            words.append(verb.english)
            words += [f"to {_noun_phrase(a)}" for a in addressed if index == 0]
        else:
            words.append(_verb_form(verb.english, tag if index == 0 else "VBG"))
    words += [_noun_phrase(o) for o in objects]
    words += [_noun_phrase(p) for p in places]
    words += others
    return " ".join(w for w in words if w)


def _compose_latin(tokens: list[_Token]) -> str:
    words: list[str] = []
    pending_count: str | None = None
    counted = False  # the article or number is out already ("a yellow taxi")
    last_noun_plural = False
    for at, token in enumerate(tokens):
        if token.kind == "stop":
            words.append(".")
            continue
        if token.kind == "count":
            pending_count = token.english
            continue
        if token.kind == "adj" and pending_count is None and not counted:
            following = next((t for t in tokens[at + 1:] if t.kind != "adj"), None)
            if following is not None and following.kind in ("noun", "people"):
                pending_count = "1"  # "le vieux pêcheur": an old fisherman
        if token.kind in ("noun", "people"):
            noun = token.english
            if pending_count not in (None, "1"):
                noun = _plural(noun)
                last_noun_plural = True
            else:
                last_noun_plural = False
            if not counted and not (pending_count in (None, "1") and noun.endswith(_NO_ARTICLE)):
                words.append(_NUMBER_WORDS.get(pending_count or "1", "a"))
            words.append(noun)
            pending_count, counted = None, False
            continue
        if token.kind == "adj":
            if pending_count is not None and not counted:
                words.append(_NUMBER_WORDS.get(pending_count, pending_count))
                counted = True
        elif token.kind not in ("adj", "rel"):
            pending_count = None
        if token.kind == "place":
            if words and words[-1] in ("the", "a") and len(words) > 1 and \
                    words[-2] in _PREPOSITIONS:  # "on the playa": English around it
                words.append(token.english)
                continue
            if not words or words[-1] not in _PREPOSITIONS:
                words.append("in")
            words += ["the", token.english]
        elif token.kind == "rel" and token.english == "at" and at and \
                tokens[at - 1].kind == "speech":
            words.append("to")  # "le dice al paciente": says to the patient
        elif token.kind in ("verb", "speech"):
            if token.kind == "speech":
                words.append(token.english)
            else:
                words.append(_verb_form(token.english,
                                        "VBG" if token.gerund else
                                        "VBP" if last_noun_plural else "VBZ"))
        else:
            words.append(token.english)
    if pending_count is not None:
        words.append(_NUMBER_WORDS.get(pending_count, pending_count))
    return re.sub(r"\s+\.", ".", " ".join(words))


# --------------------------------------------------------------------------- gloss

def _plainly_english(words: list[str]) -> bool:
    """Whether nearly all of a prompt's words are in the planner's own English tables
    and none is a word only another language's table knows."""
    from kinema.engines.procedural import lexicon as lx

    known = lx.STOPWORDS | lx.ACTION_WORDS.keys() | lx.SPEECH_VERBS | lx.SETTING_PHRASES.keys()
    nouns = lx.noun_index()
    hits = sum(1 for w in words if w in known or w in nouns or lx.singular(w) in nouns)
    if hits < 0.75 * len(words):
        return False
    for language in ("es", "fr", "de", "pt"):
        lex = _lexicon(language)
        if sum(1 for w in words if (w in lex or w in _LATIN_DROP_WORDS[language])
               and w not in known and w not in nouns) >= 2:
            return False
    return True


def _prompt_language(text: str) -> str:
    if re.search(r"[\uac00-\ud7af]", text):
        return "ko"
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "cmn"
    words = [w.lower() for w in _LATIN_WORD.findall(text) if w.isalpha()]
    if not words:
        return detect_language(text, default="en")
    if _plainly_english(words):
        return "en"  # most prompts: no detector, no lemmatiser to load
    # Prompts are short and full of nouns: count the words each table knows, and let
    # the detector break ties (and judge English, Italian and the rest).
    detected = detect_language(text, default="en")
    best, best_hits = detected, 0.0
    for language in ("es", "fr", "de", "pt"):
        lex = _lexicon(language)
        hits = sum(1 for w in words if w in lex or w in _LATIN_DROP_WORDS[language])
        score = hits / len(words) + (0.15 if language == detected else 0.0)
        if score > best_hits:
            best, best_hits = language, score
    english = sum(1 for w in words if _english_word(w)) / len(words)
    if english + (0.15 if detected == "en" else 0.0) >= best_hits or best_hits < 0.4:
        return detected if detected not in ("es", "fr", "de", "pt") or best_hits < 0.4 \
            else best
    return best


_SAYING = frozenset(("says", "asks", "replies", "shouts", "whispers"))
# "Name: line" at the start of a line, the line not already quoted.
_SCREENPLAY_LINE = re.compile(
    r"(?m)^(\s*[^\s:：\x00]{1,20}(?:[ \t][^\s:：\x00]{1,20}){0,2})[ \t]*[:：][ \t]*"
    r"(?!\s*\x00)([^\n\x00]+)$")


@lru_cache(maxsize=256)
def gloss(prompt: str) -> Gloss:
    """An English reading of a prompt written wholly or partly in Korean, Japanese,
    Chinese, Spanish, French, German or Portuguese. English prompts and prompts in other
    languages come back unchanged (``language`` says which it was); quoted dialogue is
    kept verbatim in any case."""
    # 1. Set quoted dialogue aside, verbatim.
    quotes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        quotes.append(match.group(0))
        return f" \x00{len(quotes) - 1}\x00 "

    def keep_line(line: str) -> str:
        quotes.append(line.strip())
        return f" \x00{len(quotes) - 1}\x00 "

    text = unicodedata.normalize("NFC", prompt).replace("\x00", "")  # the marks used below
    masked = _QUOTE.sub(keep, text)
    bare = re.sub(r"\x00\d+\x00", " ", masked)
    language = _prompt_language(bare)
    if language in ("es", "fr", "de", "pt") and len(_LATIN_WORD.findall(bare)) < 4:
        # 'Cliente: "Quanto custa?" Vendedor: "Dez reais."': two labels cannot tell
        # Spanish from Portuguese; the lines can.
        language = _prompt_language(re.sub(r"[\x00\d]+", " ", masked) + " " + " ".join(quotes))
    if language == "cmn" and re.search(r"[\u3040-\u30ff]", text):
        language = "ja"  # "男：「ここはどこ？」": the kana are all inside the quotes
    if language == "en":
        return _gloss_stray_words(prompt)
    if language not in GLOSSED_LANGUAGES:
        return Gloss(prompt, language)
    # Screenplay lines without quotes ("고양이: 안녕", "猫：おはよう") are dialogue too.
    masked = _SCREENPLAY_LINE.sub(
        lambda m: m.group(1) + ": " + keep_line(m.group(2))
        if _names_someone(m.group(1), language) else m.group(0), masked)
    # Speech after a verb of saying and a colon ("el chef grita: ¡dos paellas!") too.
    masked = _SPEECH_AFTER_COLON.sub(
        lambda m: m.group(1) + " " + keep_line('"' + m.group(2).strip() + '"')
        if _says(m.group(1), language) or m.group(2)[:1] in "¡¿" else m.group(0), masked)
    masked = masked.replace("：", ": ")
    # 2. Gloss the text between quotes, line by line (a script keeps its lines), piece
    # by piece.
    lines: list[str] = []
    notes: list[tuple[str, str]] = []
    unknown: list[str] = []
    for line in masked.split("\n"):
        english = _gloss_line(line, language, quotes, notes, unknown)
        if english:
            lines.append(english)
    return Gloss("\n".join(lines), language, tuple(notes), tuple(unknown))


# A word, a colon, then what is said: up to the end of its sentence ("¡voy!", "¿qué?").
_SPEECH_AFTER_COLON = re.compile(
    r"([^\W\d_][\w'’-]*)[ \t]*[:：][ \t]*"
    r"((?:[¡¿][^!?\n\x00]+[!?])|(?:[^\s\x00][^\n\x00.!?。！？]*[.!?。！？]?))")


def _says(word: str, language: str) -> bool:
    """Whether ``word`` is a form of a verb of saying in ``language`` ("grita", "dit")."""
    entry = _lexicon(language).get(_key(language, word))
    return entry is not None and entry.kind == "speech"


def _gloss_mixed(text: str, language: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """English with a few Korean, Japanese or Chinese words ("a 토끼 running in the 들판"):
    the English stays as written and each foreign word is glossed where it stands."""
    notes: list[tuple[str, str]] = []
    unknown: list[str] = []

    def one(match: re.Match[str]) -> str:
        english, found_notes, found_unknown = _gloss_piece(match.group(0), language)
        notes.extend(found_notes)
        unknown.extend(found_unknown)
        # Alone, a noun comes back with its article; the English around it has its own.
        return re.sub(r"^(a|an|the|in the) ", "", english)

    english = _CJK_RUN.sub(one, text)
    english = re.sub(r"\b([Aa]n?) (\w)", lambda m: m.group(1)[0] + (
        "n " if m.group(2) in "aeiou" else " ") + m.group(2), english)
    return english, notes, unknown


def _gloss_stray_words(prompt: str) -> Gloss:
    """An English prompt with a stray Spanish, French, German or Portuguese noun ("a
    perro running on the beach"): a word English does not know and one of the tables
    does is glossed where it stands; everything else is left as written."""
    import lemminflect

    notes: list[tuple[str, str]] = []

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        key = word.lower()
        if len(key) < 4:
            return word
        # The other languages' tables first (dictionary lookups): only a word one of them
        # knows needs the slower check that English does not know it too.
        for language in ("es", "fr", "pt", "de"):
            entry = _lexicon(language).get(key)
            if entry is not None and entry.kind in ("noun", "people", "place"):
                if _english_word(key) or lemminflect.getAllLemmas(key):
                    return word
                notes.append((word, entry.english))
                return entry.english
        return word

    parts = re.split(r'("[^"]*"|“[^”]*”|«[^»]*»)', prompt)  # quotes stay as written
    text = "".join(part if i % 2 else re.sub(r"[^\W\d_]+", one, part)
                   for i, part in enumerate(parts))
    return Gloss(text, "en", tuple(notes))


def _names_someone(label: str, language: str) -> bool:
    """Whether a label before a colon is a speaker ("고양이", "Gato 1", "María"), not a
    camera direction or a place ("드론 샷", "Escena")."""
    label = label.strip()
    if language == "ko":
        tokens, _ = _tokens_ko(label)
    elif language in ("ja", "cmn"):
        tokens, _ = _tokens_cjk(label, language)
    else:
        tokens, _ = _tokens_latin(label, language)
    kinds = {t.kind for t in tokens} - {"count", "adj", "english"}
    return bool(kinds) and kinds <= {"noun", "people", "unknown"}


# The celestial stems Chinese scripts number people with: 甲, 乙 ... are A, B ...
_STEMS = {"甲": "A", "乙": "B", "丙": "C", "丁": "D"}


def _gloss_line(line: str, language: str, quotes: list[str],
                notes: list[tuple[str, str]], unknown: list[str]) -> str:
    out: list[str] = []
    for piece in re.split(r"(\x00\d+\x00)", line):
        found = re.fullmatch(r"\x00(\d+)\x00", piece)
        if found:
            out.append(quotes[int(found.group(1))])
            continue
        if not piece.strip():
            continue
        # A colon before a quote or a line ("철수: 안녕") stays as it is.
        text, colon = piece.strip(), ""
        if text.endswith(":"):
            text, colon = text[:-1].strip(), ":"
        if colon and language in _CJK and re.fullmatch(r"[A-Za-z][\w'-]{0,11}", text):
            out.append(text + colon)  # "A：“…” B：“…”": speakers named in Latin letters
            continue
        after_quote = bool(out) and bool(_QUOTE.fullmatch(out[-1]))
        if after_quote and language in ("ko", "ja"):
            # 'X가 "…"라고 말했다', 'Xが「…」と言う': the verb of saying comes after the
            # line; English puts it before.
            text = re.sub(r"^(이라고|라고|하고|고|って|と)\s*", "", text)
            # "…"라고 말하고 영희가 …: the first word says the line before it.
            head, _, tail = [*re.split(r"([\s、,，])", text, maxsplit=1), "", ""][:3]
            said, said_notes, _ = _gloss_piece(head, language)
            if said in _SAYING and tail.strip():
                out.insert(len(out) - 1, said)
                notes += said_notes
                text = tail.strip()
                after_quote = False
        letter = ""
        if colon and language == "cmn" and len(text) > 1 and text[-1] in _STEMS:
            text, letter = text[:-1], " " + _STEMS[text[-1]]  # "机器人甲：" -> "robot A:"
        english, piece_notes, piece_unknown = _gloss_piece(text, language)
        english += letter
        label = english.rsplit(". ", 1)[-1]
        if colon and len(label.split()) <= 4:  # a speaker's label: "Gato 1:" -> "cat 1:"
            english = english[: len(english) - len(label)] + re.sub(r"^(a|an|the) ", "", label)
        first, _, rest = english.partition(" ")
        words = english.split()
        verb_at = next((k for k, w in enumerate(words) if w.rstrip(".") in _SAYING), None)
        before = out[-2] if len(out) >= 2 else ""
        if after_quote and language in ("ko", "ja") and first in _SAYING:
            quote = out.pop()
            out += [first, quote, rest + colon]
        elif after_quote and language in ("ko", "ja") and verb_at and (
                not before or _QUOTE.fullmatch(before) or set(before.split()) & _SAYING):
            # '「おはよう」と猫が言う', '"…" 라고 엄마가 말하자': the line first, then who
            # says it; English names the speaker first.
            quote = out.pop()
            said, stop = words[verb_at].rstrip("."), "." if words[verb_at].endswith(".") else ""
            out += [" ".join([*words[:verb_at], said]), quote + stop,
                    " ".join(words[verb_at + 1:]) + colon]
        else:
            out.append(english + colon)
        notes += piece_notes
        unknown += piece_unknown
    return re.sub(r"\s+", " ", " ".join(o for o in out if o.strip())).strip()


_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u3130-\u318f]+")


def _gloss_piece(text: str, language: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    if not text:
        return "", [], []
    latin = re.findall(r"[A-Za-z]+", text)
    if language in _CJK and len(latin) >= 2 and len(latin) >= len(_CJK_RUN.findall(text)):
        return _gloss_mixed(text, language)
    text = text.replace(":", " ")  # a colon inside the words: nothing to gloss
    if language == "ko":
        tokens, unknown = _tokens_ko(text)
    elif language in ("ja", "cmn"):
        tokens, unknown = _tokens_cjk(text, language)
    else:
        tokens, unknown = _tokens_latin(text, language)
    tokens = [t for t in tokens if t.kind != "drop"]  # pronouns: the planner has its own
    notes = [(t.source, t.english) for t in tokens
             if t.kind not in ("unknown", "stop", "english") and t.english]
    english = (_compose_sov(tokens, language) if language in _CJK
               else _compose_latin(tokens))
    english = re.sub(r"\ba (?=[aeiou])", "an ", english)
    return english, notes, unknown
