"""Undoing the tricks people use to slip words past a filter: look-alike letters from
other alphabets (Greek, Cyrillic, fullwidth forms), accents, leetspeak ("k1ll"),
separators ("k.i.l.l", "n u d e"), zero-width and direction-control characters, text
written backwards inside a right-to-left override, masked letters ("de*apitated") and
repeated letters ("killll")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kinema.safety.terms import listed_words

# Capital Greek letters that look like Latin capitals (lower-cased, some would not:
# "Ν" becomes "ν", which looks like a "v").
_CAPITAL_CONFUSABLES = str.maketrans(
    {
        "Α": "a",
        "Β": "b",
        "Ε": "e",
        "Ζ": "z",
        "Η": "h",
        "Ι": "i",
        "Κ": "k",
        "Μ": "m",
        "Ν": "n",
        "Ο": "o",
        "Ρ": "p",
        "Τ": "t",
        "Υ": "y",
        "Χ": "x",
    }
)

# Letters from other scripts that look like Latin ones, and symbols used for letters.
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "і": "i",
        "ј": "j",
        "ԁ": "d",
        "ɡ": "g",
        "ո": "n",
        "ս": "u",
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ı": "i",
    }
)
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
        "€": "e",
        "£": "l",
    }
)
_CONFUSABLE_LETTERS = frozenset("авеёкмнорстухѕіјԁɡոսαβεηικνορτυχω")
# Zero-width, joiner, filler and direction-control characters: invisible on screen.
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# Text after a right-to-left override (up to "pop directional formatting" or the end of
# the line) is shown backwards: "\u202edetatipaced" reads "decapitated" on screen.
_REVERSED_RUN = re.compile("\u202e([^\u202a-\u202c\u202d\n]*)\u202c?")
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[a-zA-Z]")
# Characters that stand in for one hidden letter inside a word: "de*apitated", "b#mb".
_MASK = "*#_?•·%"
_MASKABLE = rf"[a-z{re.escape(_MASK)}]"
_MASKED_WORD = re.compile(rf"{_MASKABLE}*[a-z][{re.escape(_MASK)}]{_MASKABLE}*")
_REPEATS = re.compile(r"(\w)\1{2,}")
# A word that mixes letters with digits or symbols standing for letters.
_MIXED_WORD = re.compile(r"(?=\S*[a-z])(?=\S*[0-9@$!|+€£])[a-z0-9@$!|+€£]+")
# Three or more single characters joined by separators: "k.i.l.l", "n u d e", "s-e-x".
_SPACED_LETTERS = re.compile(
    r"(?<![a-z0-9])(?:[a-z0-9@$][\s.\-_*~'`·•/\\]+){2,}[a-z0-9@$](?![a-z0-9])"
)
_SEPARATORS = re.compile(r"[\s.\-_*~'`·•/\\]+")
# Chinese, Japanese and Korean characters, which make words without Latin letters.
_CJK = "[\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
# Three or more of them standing alone between spaces: "自 杀 的 方 法".
_SPACED_CJK = re.compile(rf"(?<!\S){_CJK}(?:\s+{_CJK}(?!\S)){{2,}}")
# A dot or star between two of them: "자.살", "自*杀".
_CJK_SEPARATOR = re.compile(rf"(?<={_CJK})[.\-_*~·•]+(?={_CJK})")


def visible(text: str) -> str:
    """The text as a reader sees it: compatibility forms folded (fullwidth letters),
    backwards runs after a right-to-left override put in reading order, invisible
    characters removed. Case, accents and scripts are kept."""
    text = unicodedata.normalize("NFKC", text)
    if "\u202e" in text:
        text = _REVERSED_RUN.sub(lambda m: m.group(1)[::-1], text)
    return _INVISIBLE.sub("", text)


def _latin_lookalikes(text: str) -> str:
    """Map look-alike letters to Latin in words that mix them with Latin letters
    ("nаked" with a Cyrillic "а"), and in words made only of look-alikes when the text
    is otherwise Latin. Real Greek or Russian words are left alone."""
    latin_text = len(_LATIN.findall(text)) * 2 > sum(c.isalpha() for c in text)

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        mixed = _LATIN.search(word) is not None
        only_lookalikes = all(c in _CONFUSABLE_LETTERS for c in word if c.isalpha())
        if mixed or (latin_text and only_lookalikes):
            return word.translate(_CONFUSABLES)
        return word

    return _WORD.sub(swap, text)


def plain(text: str, *, lookalikes: bool = True) -> str:
    """Lower case, look-alike letters mapped to Latin (unless ``lookalikes`` is False),
    accents and invisible characters removed, whitespace collapsed."""
    text = visible(text)
    if lookalikes:
        text = _latin_lookalikes(text.translate(_CAPITAL_CONFUSABLES).casefold())
    else:
        text = text.casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(text.split())


def readable(text: str) -> str:
    """The form given to the meaning model: what a reader sees, with look-alike letters
    and masked letters resolved and long letter runs shortened ("killll" -> "kill"),
    but case, accents and scripts kept."""
    text = visible(text).translate(_CAPITAL_CONFUSABLES)
    text = _latin_lookalikes(text)
    text = _MASKED_WORD.sub(_unmask_word, text)
    return " ".join(_REPEATS.sub(r"\1\1", text).split())


def deobfuscate(text: str) -> str:
    """``plain`` plus masked letters filled in, leetspeak inside words undone and
    spaced-out letters joined up ("k i l l", "自 杀", "자.살")."""
    text = _CJK_SEPARATOR.sub("", visible(text))
    text = _SPACED_CJK.sub(lambda m: "".join(m.group(0).split()), text)
    text = _MASKED_WORD.sub(_unmask_word, plain(text))
    text = _SPACED_LETTERS.sub(_join_letters, text)
    text = _MIXED_WORD.sub(_undo_leet, text)
    return text


def _join_letters(match: re.Match[str]) -> str:
    joined = _SEPARATORS.sub("", match.group(0))
    # "a d e c a p i t a t e d": the article was spaced out along with the word.
    if len(joined) > 4 and joined[0] in "ai" and joined not in _listed_set():
        return f"{joined[0]} {joined[1:]}"
    return joined


@lru_cache(maxsize=1)
def _listed_set() -> frozenset[str]:
    return frozenset(word for word, _ in listed_words())


def _unmask_word(match: re.Match[str]) -> str:
    """Fill masked letters when exactly one listed word fits: "de*apitated" ->
    "decapitated", "b*mb" -> "bomb". At least two thirds of the letters must show."""
    word = match.group(0)
    shown = sum(c not in _MASK for c in word)
    if shown * 3 < len(word) * 2:
        return word
    fits: set[str] = set()
    for stem, prefix in listed_words():
        if len(word) < len(stem) or (not prefix and len(word) != len(stem)):
            continue
        head, tail = word[: len(stem)], word[len(stem) :]
        if any(c in _MASK for c in tail):
            continue
        if all(w == s or w in _MASK for w, s in zip(head, stem, strict=True)):
            fits.add(stem + tail)
    return fits.pop() if len(fits) == 1 else word


def _undo_leet(match: re.Match[str]) -> str:
    # "!" ending a word is punctuation ("killing it!"), not an "i".
    word = match.group(0)
    core = word.rstrip("!")
    return core.translate(_LEET) + word[len(core) :]


def views(text: str) -> list[str]:
    """The forms of ``text`` worth checking: as written (normalized) and deobfuscated."""
    first = plain(text)
    second = deobfuscate(text)
    return [first] if second == first else [first, second]
