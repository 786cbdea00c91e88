"""Real living public figures: a names list with aliases shipped as data, plus names the
admins add. A prompt naming one is refused unless that person has a verified character
that allows it."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from kinema.safety.normalize import plain
from kinema.safety.terms import DATA_DIR

# allow(name) -> True when this public figure is a verified character who allows it
FigureAllowance = Callable[[str], bool] | Collection[str]


@dataclass(frozen=True)
class PublicFigure:
    name: str
    aliases: tuple[str, ...]


_added: dict[str, PublicFigure] = {}
_lock = threading.Lock()


def _parse(line: str) -> PublicFigure:
    names = [part.strip() for part in line.split("|") if part.strip()]
    return PublicFigure(name=names[0], aliases=tuple(names[1:]))


@lru_cache(maxsize=1)
def _shipped() -> tuple[PublicFigure, ...]:
    text = (DATA_DIR / "public_figures.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(_parse(line) for line in lines)


def add_public_figures(entries: Iterable[str]) -> None:
    """Admin additions: each entry is ``"Full Name"`` or ``"Full Name|alias|alias"``."""
    with _lock:
        for entry in entries:
            if entry.strip():
                figure = _parse(entry)
                _added[plain(figure.name)] = figure
        _index.cache_clear()


def public_figures() -> list[PublicFigure]:
    """Every public figure Kinema knows: the shipped list and admin additions."""
    with _lock:
        return list(_shipped()) + list(_added.values())


@lru_cache(maxsize=1)
def _index() -> tuple[re.Pattern[str], dict[str, str]]:
    spelled: dict[str, str] = {}
    for figure in public_figures():
        for spelling in (figure.name, *figure.aliases):
            for key in {_key(spelling), _key(spelling, lookalikes=False)}:
                if len(key) >= 2:
                    spelled.setdefault(key, figure.name)
    alternatives = sorted(spelled, key=len, reverse=True)
    body = "|".join(_alternative(key) for key in alternatives)
    # Looked up without separators: "ドナルドトランプ" is "ドナルド・トランプ".
    return re.compile(body), {_compact(key): name for key, name in reversed(spelled.items())}


def _alternative(key: str) -> str:
    """The pattern for one spelling. Latin names stand as whole words ("a musk ox" is
    not Elon Musk); Cyrillic ones start a word and may take a case ending ("Путина");
    names in scripts written without spaces (Hangul, kana, Han) or with attached
    prefixes (Arabic) match anywhere."""
    name = r"[\s.\-・·]*".join(re.escape(word) for word in key.split())
    if _LATIN_START.match(key):
        return rf"(?<![a-z0-9]){name}(?:'s)?(?![a-z0-9])"
    if _CYRILLIC_START.match(key):
        return rf"(?<!\w){name}"
    return name


_LATIN_START = re.compile(r"[a-z0-9]")
_CYRILLIC_START = re.compile(r"[\u0400-\u04ff]")


def _key(spelling: str, *, lookalikes: bool = True) -> str:
    text = plain(spelling, lookalikes=lookalikes)
    return " ".join(re.sub(r"[.\-・·]", " ", text).split())


def _compact(key: str) -> str:
    return key.replace(" ", "")


def find_public_figures(text: str) -> list[str]:
    """Names (canonical spelling) of public figures mentioned in ``text``, in any
    script."""
    pattern, spelled = _index()
    found: list[str] = []
    for form in dict.fromkeys((plain(text), plain(text, lookalikes=False))):
        for hit in pattern.finditer(form):
            name = spelled.get(_compact(_key(hit.group(0).removesuffix("'s"))))
            if name and name not in found:
                found.append(name)
    return found


def is_allowed(name: str, allowed: FigureAllowance | None) -> bool:
    """Whether ``allowed`` (a callback or a collection of names) lets ``name`` appear."""
    if allowed is None:
        return False
    if callable(allowed):
        return bool(allowed(name))
    return plain(name) in {plain(n) for n in allowed}
