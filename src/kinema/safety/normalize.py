"""Undoing the tricks people use to slip words past a filter: look-alike letters from
other alphabets, accents, leetspeak ("k1ll"), separators ("k.i.l.l", "n u d e"),
zero-width characters and repeated letters (the term patterns allow those)."""

from __future__ import annotations

import re
import unicodedata

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
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
# A word that mixes letters with digits or symbols standing for letters.
_MIXED_WORD = re.compile(r"(?=\S*[a-z])(?=\S*[0-9@$!|+€£])[a-z0-9@$!|+€£]+")
# Three or more single characters joined by separators: "k.i.l.l", "n u d e", "s-e-x".
_SPACED_LETTERS = re.compile(
    r"(?<![a-z0-9])(?:[a-z0-9@$][\s.\-_*~'`·•/\\]+){2,}[a-z0-9@$](?![a-z0-9])"
)
_SEPARATORS = re.compile(r"[\s.\-_*~'`·•/\\]+")


def plain(text: str) -> str:
    """Lower case, look-alike letters mapped to Latin, accents and invisible characters
    removed, whitespace collapsed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    text = text.translate(_CONFUSABLES)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(text.split())


def deobfuscate(text: str) -> str:
    """``plain`` plus leetspeak inside words and spaced-out letters joined up."""
    text = plain(text)
    text = _SPACED_LETTERS.sub(lambda m: _SEPARATORS.sub("", m.group(0)), text)
    text = _MIXED_WORD.sub(_undo_leet, text)
    return text


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
