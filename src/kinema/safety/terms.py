"""Loading the curated word lists shipped in ``kinema/safety/data`` and turning them
into patterns that tolerate repeated letters and joined or hyphenated words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
_SUFFIX = r"(?:s|es|ed|d|ing|er|ers|y)?"


def term_pattern(term: str) -> str:
    """Regex for a listed term: each letter may repeat ("niiice"), spaces and hyphens
    between words are optional, simple word endings are allowed; a trailing ``*``
    matches any ending."""
    prefix = term.endswith("*")
    term = term.rstrip("*").strip()
    parts: list[str] = []
    for word_index, word in enumerate(term.split()):
        if word_index:
            parts.append(r"[\s\-]*")
        for char in word:
            parts.append(re.escape(char) + ("+" if char.isalpha() else ""))
    ending = r"[a-z]*" if prefix else _SUFFIX
    return rf"(?<![a-z0-9]){''.join(parts)}{ending}(?![a-z0-9])"


@dataclass
class TermList:
    strong: list[re.Pattern[str]] = field(default_factory=list)
    weak: list[re.Pattern[str]] = field(default_factory=list)

    def find(self, text: str, *, weak: bool = False) -> str | None:
        """The first piece of ``text`` a (strong or weak) term matches."""
        for pattern in self.weak if weak else self.strong:
            hit = pattern.search(text)
            if hit:
                return hit.group(0)
        return None


def fold_marks(text: str) -> str:
    """Accents and other combining marks removed, as the moderated text is (Hangul
    syllables come apart into their letters, which the text's do too)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _term_form(term: str) -> str:
    """A listed term in the form the moderated text is checked in (``normalize.plain``):
    "suicidio" and "자살" are written as a person would write them."""
    from kinema.safety.normalize import plain  # normalize reads the lists too

    prefix = term.endswith("*")
    form = plain(term.rstrip("*"))
    return form + "*" if prefix else form


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def load_terms(name: str) -> TermList:
    """The term list ``data/<name>.txt``."""
    terms = TermList()
    for line in _lines(f"{name}.txt"):
        target = terms.strong
        if line.startswith("~"):
            target, line = terms.weak, line[1:]
        if line.startswith("re:"):
            target.append(re.compile(fold_marks(line[3:])))
        else:
            target.append(re.compile(term_pattern(_term_form(line))))
    return terms


# The lists whose words a masked spelling ("de*apitated") is resolved against.
LISTED = (
    "sexual",
    "sexual_minors",
    "minors",
    "violence_gore",
    "self_harm",
    "hate_harassment",
    "weapons_terror",
)


@lru_cache(maxsize=1)
def listed_words() -> tuple[tuple[str, bool], ...]:
    """Every single listed word as ``(letters, is_prefix)``: "decapitat*" gives
    ``("decapitat", True)``. Regex lines and phrases are left out."""
    words: set[tuple[str, bool]] = set()
    for name in LISTED:
        for line in _lines(f"{name}.txt"):
            line = line.lstrip("~").lower()
            if line.startswith("re:"):
                continue
            prefix = line.endswith("*")
            stem = line.rstrip("*").strip()
            if stem.isalpha() and len(stem) >= 3:
                words.add((stem, prefix))
    return tuple(sorted(words))


@lru_cache(maxsize=1)
def allow_patterns() -> re.Pattern[str]:
    """One regex of every ordinary phrase in ``data/allow.txt``."""
    return re.compile("|".join(f"(?:{fold_marks(line)})" for line in _lines("allow.txt")))


@lru_cache(maxsize=1)
def examples() -> list[tuple[str, str]]:
    """``(category, sentence)`` pairs from ``data/examples.txt``."""
    pairs = []
    for line in _lines("examples.txt"):
        category, _, sentence = line.partition("|")
        pairs.append((category.strip(), sentence.strip()))
    return pairs
