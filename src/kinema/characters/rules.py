"""A character owner's preferences, in their own words, split into two kinds of rule:

- **content rules** say what the character must not be put into ("no political
  content", "never swearing", "avoid horror") and are checked against the prompt when
  someone asks for a video;
- **appearance rules** say how the character looks ("always wears a red cap") and go to
  the engine with the character.

A clause that starts with a negation ("no", "never", "don't", "avoid", ...) is a content
rule; any other clause is an appearance rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLAUSES = re.compile(r"[;\n.!]+|,\s*(?=(?:and\s+)?(?:no|never|don't|do not|avoid|not)\b)")
_NEGATION = re.compile(
    r"^(?:and\s+)?(?:no|never|don't|do not|dont|not|avoid|nothing|without|keep me out of)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z']+")

# Words of a rule that name no topic of their own.
_FILLER = {
    "no",
    "never",
    "don't",
    "dont",
    "do",
    "not",
    "avoid",
    "nothing",
    "without",
    "keep",
    "me",
    "out",
    "of",
    "any",
    "anything",
    "content",
    "videos",
    "video",
    "stuff",
    "things",
    "thing",
    "about",
    "with",
    "the",
    "a",
    "an",
    "in",
    "on",
    "or",
    "and",
    "please",
    "my",
    "character",
    "i",
    "ever",
    "be",
    "being",
    "put",
    "into",
    "related",
    "topics",
    "topic",
    "scenes",
    "scene",
    "involving",
    "use",
    "using",
    "show",
    "showing",
    "make",
    "making",
    "say",
    "saying",
}

# Topics a rule may name, with words a prompt uses for them. Matching is by word
# prefix, so "politic" covers politics, political and politician.
_TOPICS: dict[str, tuple[str, ...]] = {
    "politic": (
        "politic",
        "election",
        "vote",
        "voting",
        "president",
        "senator",
        "congress",
        "parliament",
        "government",
        "campaign",
        "protest",
        "democrat",
        "republican",
        "minister",
        "candidate",
        "ballot",
        "rally",
    ),
    "swear": (
        "swear",
        "curse",
        "cursing",
        "profan",
        "fuck",
        "shit",
        "damn",
        "bitch",
        "bastard",
        "crap",
        "asshole",
    ),
    "violen": (
        "violen",
        "fight",
        "punch",
        "kick",
        "kill",
        "murder",
        "shoot",
        "gun",
        "weapon",
        "blood",
        "stab",
        "attack",
        "war",
        "explod",
        "explosion",
        "sword",
    ),
    "alcohol": ("alcohol", "beer", "wine", "drunk", "vodka", "whisk", "cocktail", "booze"),
    "drink": ("alcohol", "beer", "wine", "drunk", "vodka", "whisk", "cocktail", "booze"),
    "smok": ("smok", "cigar", "vape", "vaping", "tobacco"),
    "drug": ("drug", "weed", "cocaine", "marijuana", "pills"),
    "romanc": ("romanc", "romantic", "kiss", "date", "dating", "flirt"),
    "kiss": ("kiss",),
    "horror": ("horror", "scary", "monster", "zombie", "ghost", "haunt", "creepy"),
    "scary": ("horror", "scary", "monster", "zombie", "ghost", "haunt", "creepy"),
    "religio": ("religio", "church", "mosque", "temple", "prayer", "pray", "god"),
    "advert": ("advert", "ad", "ads", "sponsor", "brand", "commercial", "promot"),
    "ad": ("advert", "ad", "ads", "sponsor", "brand", "commercial", "promot"),
    "gambl": ("gambl", "casino", "poker", "bet", "betting"),
    "sex": ("sex", "nude", "naked"),
}


@dataclass(frozen=True)
class Preferences:
    content_rules: tuple[str, ...]
    appearance_rules: tuple[str, ...]

    @property
    def appearance_text(self) -> str:
        return "; ".join(self.appearance_rules)


def read_preferences(instructions: str) -> Preferences:
    """Split the owner's free text into content rules and appearance rules."""
    content: list[str] = []
    appearance: list[str] = []
    for clause in _CLAUSES.split(instructions or ""):
        clause = " ".join(clause.split()).strip(" ,")
        if not clause:
            continue
        (content if _NEGATION.match(clause) else appearance).append(clause)
    return Preferences(tuple(content), tuple(appearance))


def _stem(word: str) -> str:
    word = word.lower().strip("'")
    for suffix in ("ing", "ical", "ics", "al", "es", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _rule_keywords(rule: str) -> set[str]:
    words = [w for w in _WORD.findall(rule.lower()) if w not in _FILLER]
    keywords: set[str] = set()
    for word in words:
        stem = _stem(word)
        keywords.add(stem)
        for topic, related in _TOPICS.items():
            if (
                stem == topic
                or (len(topic) >= 4 and stem.startswith(topic))
                or (len(stem) >= 4 and topic.startswith(stem))
            ):
                keywords.update(related)
    return keywords


def broken_rule(prompt: str, rules: tuple[str, ...]) -> str | None:
    """The first content rule the prompt goes against, or None."""
    prompt_words = [w.lower() for w in _WORD.findall(prompt.lower())]
    for rule in rules:
        keywords = _rule_keywords(rule)
        for word in prompt_words:
            for key in keywords:
                # Short keywords ("ad", "bet", "war") must match the whole word.
                if (word == key) or (len(key) >= 4 and word.startswith(key)):
                    return rule
    return None
