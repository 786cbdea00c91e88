"""Feed steering in plain words: "more cooking and animals, no sports" becomes topic
boosts (cooking, animals) and exclusions (sports).

The grammar is small on purpose, so what the feed understood can be shown back:
clauses are split on commas, semicolons, "but" and full stops; a clause that starts
with "no", "not", "without", "never", "hide", "block", "stop showing", "don't show" or
"nothing about" excludes its topics; one that starts with "less", "fewer" or "not so
much" lowers them; anything else ("more X", "show me X", "I like X", plain "X") boosts
them. Topics inside a clause are split on "and", "or", "&", "/" and "+".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_INSTRUCTION_CHARS = 500
MAX_TOPICS = 12

_CLAUSES = re.compile(r"\s*(?:[,;.!?\n]+|\bbut\b|\bexcept\b)\s*", re.IGNORECASE)
_EXCLUDE = re.compile(
    r"^(?:no|not|without|never|hide|block|mute|skip|avoid|remove|ban|zero|"
    r"stop showing(?: me)?|don'?t show(?: me)?|do not show(?: me)?|nothing (?:about|with|of)|"
    r"i (?:hate|don'?t (?:like|want)|do not (?:like|want)))\b\s*(?:any(?:more)?\b\s*)?",
    re.IGNORECASE,
)
_REDUCE = re.compile(
    r"^(?:less|fewer|not so much|not as much|a bit less|tone down|reduce)\b\s*(?:of\b\s*)?",
    re.IGNORECASE,
)
_BOOST = re.compile(
    r"^(?:(?:show|give|find)(?: me)?|(?:i )?(?:want|like|love|prefer)|"
    r"more(?: of)?|lots of|plenty of|extra|only|just|mostly|please)\b\s*(?:more\b\s*)?",
    re.IGNORECASE,
)
_SPLIT_TOPICS = re.compile(r"\s*(?:\band\b|\bor\b|\bnor\b|&|/|\+)\s*", re.IGNORECASE)
_FILLER = re.compile(
    r"\b(?:videos?|clips?|stuff|content|things?|posts?|related|please|about|anything|"
    r"any|some|the|a|an|more|of|with|me|my|in|feed|kinds?|types?|ones)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FeedInstruction:
    """What a plain-language feed instruction was understood as."""

    text: str = ""
    boosts: list[str] = field(default_factory=list)
    reductions: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.boosts or self.reductions or self.exclusions)


def _topics(words: str) -> list[str]:
    topics = []
    for part in _SPLIT_TOPICS.split(words):
        topic = " ".join(_FILLER.sub(" ", part).split()).strip(" '\"-").lower()
        if topic:
            topics.append(topic)
    return topics


def _add(target: list[str], topics: list[str], *others: list[str]) -> None:
    for topic in topics:
        for other in others:
            if topic in other:
                other.remove(topic)  # the later wish wins
        if topic not in target:
            target.append(topic)


def parse_instruction(text: str) -> FeedInstruction:
    """Understand a feed instruction. Later clauses win over earlier ones for the same
    topic ("more cats, actually no cats" excludes cats)."""
    clean = " ".join((text or "").split())
    boosts: list[str] = []
    reductions: list[str] = []
    exclusions: list[str] = []
    for clause in _CLAUSES.split(clean):
        clause = re.sub(r"^(?:and|also|actually|then|plus)\b\s*", "", clause.strip(),
                        flags=re.IGNORECASE)
        if not clause:
            continue
        exclude = _EXCLUDE.match(clause)
        if exclude:
            _add(exclusions, _topics(clause[exclude.end():]), boosts, reductions)
            continue
        reduce = _REDUCE.match(clause)
        if reduce:
            _add(reductions, _topics(clause[reduce.end():]), boosts, exclusions)
            continue
        boost = _BOOST.match(clause)
        rest = clause[boost.end():] if boost else clause
        _add(boosts, _topics(rest), reductions, exclusions)
    return FeedInstruction(
        text=clean,
        boosts=boosts[:MAX_TOPICS],
        reductions=reductions[:MAX_TOPICS],
        exclusions=exclusions[:MAX_TOPICS],
    )
