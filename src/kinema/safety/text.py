"""Text moderation for prompts, comments, captions, dialogue transcripts and the rules
a character's owner writes. Every one of them goes through ``moderate_text``.

Four layers, cheapest first:

1. normalization that undoes obfuscation (``normalize.views``, ``normalize.readable``);
2. curated word lists per category (English, and the plainest words of the other
   main languages: "자살", "自杀", "suicidarme", "Rohrbombe"), after blanking ordinary
   phrases that merely contain a listed word ("a shot of espresso", "killing it on
   stage", "a naked mole rat", "자살 예방"); "weak" words count only when the meaning
   check below agrees;
3. public figures, named in any script ("이재명", "成龙", "Путин");
4. intent in any language (``intent.judge_intent``): multilingual-e5-small vectors,
   prototypes per category and a trained linear head; then, for English wording the
   lists miss, similarity with the small static model to example sentences.

Sexual content with any sign of a minor is its own category, always refused and
flagged for the administrators. Real public figures are refused in prompts unless the
caller says they are allowed (a verified character who permits it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

import numpy as np

from kinema.embeddings import embed
from kinema.safety.intent import Intent, judge_intent
from kinema.safety.normalize import deobfuscate, plain, readable, views
from kinema.safety.public_figures import FigureAllowance, find_public_figures, is_allowed
from kinema.safety.terms import allow_patterns, examples, load_terms
from kinema.safety.verdict import (
    HATE_HARASSMENT,
    PUBLIC_FIGURE,
    SELF_HARM,
    SEXUAL,
    SEXUAL_MINORS,
    VIOLENCE_GORE,
    WEAPONS_TERROR,
    Verdict,
)

TextContext = Literal["prompt", "comment", "caption", "transcript", "character_rules"]
CONTEXTS = ("prompt", "comment", "caption", "transcript", "character_rules")
# Where naming a real public figure puts them in a video (a character's rules describe
# how the character looks and acts in every video it appears in).
FIGURE_CONTEXTS = ("prompt", "character_rules")

# Checked in this order; the first refusal wins.
_LISTED = (SEXUAL_MINORS, WEAPONS_TERROR, SELF_HARM, SEXUAL, HATE_HARASSMENT, VIOLENCE_GORE)
# A weak word counts when the text is at least this close to the category's examples
# (and closer to them than to harmless ones)...
WEAK_WORD_SIMILARITY = 0.45
# ...and with a sign of a minor, a weak sexual word needs much clearer meaning.
MINOR_WEAK_SIMILARITY = 0.6
MINOR_WEAK_MARGIN = 0.15
# With no listed word at all, the text must be this close to a harmful example...
MEANING_SIMILARITY = 0.72
# ...and this much closer to it than to any harmless example.
MEANING_MARGIN = 0.08
MAX_LENGTH = 5000
# The meaning model reads a text of up to WHOLE_CHARS at once; a longer one (a
# transcript) in pieces of whole sentences up to PIECE_CHARS, at most MAX_PIECES of
# them (a harmful line is not drowned by the harmless ones around it). The most
# harmful piece decides.
WHOLE_CHARS = 300
# A text this short gives the model little to go on ("bye", "ok"): the intent head
# must be surer of harm to refuse it.
SHORT_TEXT_CHARS = 12
SHORT_TEXT_THRESHOLD = 0.7
# "@handle" names a character. The model reads it as a plain name: a handle is any
# word its owner chose ("@nobody_here", "@killer_bee"), and the "@" is no obfuscated "a".
_MENTION = re.compile(r"@\w[\w.]*")
MENTION_READ_AS = "Alex"
PIECE_CHARS = 150
MAX_PIECES = 24


@lru_cache(maxsize=1)
def _example_vectors() -> tuple[list[str], np.ndarray]:
    pairs = examples()
    return [category for category, _ in pairs], embed([sentence for _, sentence in pairs])


def _closeness(text: str) -> dict[str, float]:
    """Highest similarity of ``text`` to each category's examples (and "benign")."""
    categories, vectors = _example_vectors()
    scores = vectors @ embed(text)[0]
    best: dict[str, float] = {}
    for category, score in zip(categories, scores, strict=True):
        best[category] = max(best.get(category, -1.0), float(score))
    return best


def _blank_ordinary_phrases(text: str) -> str:
    return allow_patterns().sub(" ", text)


def moderate_text(
    text: str,
    *,
    context: TextContext = "prompt",
    allowed_figures: FigureAllowance | None = None,
) -> Verdict:
    """Decide whether ``text`` may be used in ``context``.

    ``allowed_figures`` lets named public figures through: a callback taking the
    figure's name (True when they are a verified character who allows it) or a
    collection of names. Public figures are only checked in prompts and character
    rules: naming someone in a comment is not putting them in a video.
    """
    if context not in CONTEXTS:
        raise ValueError(f"unknown moderation context {context!r}")
    text = text[:MAX_LENGTH]
    if not text.strip():
        return Verdict.allow()
    forms = [_blank_ordinary_phrases(form) for form in views(text)]
    closeness: dict[str, float] | None = None

    def close(category: str) -> float:
        nonlocal closeness
        if closeness is None:
            closeness = _closeness(text)
        return closeness.get(category, 0.0)

    minor = next((hit for f in forms if (hit := load_terms("minors").find(f))), None)
    for category in _LISTED:
        terms = load_terms(category)
        for form in forms:
            hit = terms.find(form)
            if hit is None:
                weak = terms.find(form, weak=True)
                if weak is not None and _weak_word_counts(category, minor, close):
                    hit = weak
            if hit is None:
                continue
            if category == SEXUAL and minor is not None:
                return Verdict.refuse(SEXUAL_MINORS, matched=f"{hit} + {minor}")
            if category == SELF_HARM and context == "comment" and _aimed_at_someone(form):
                return Verdict.refuse(HATE_HARASSMENT, matched=hit)
            return Verdict.refuse(category, matched=hit)

    if context in FIGURE_CONTEXTS:
        for name in find_public_figures(forms[0]):
            if not is_allowed(name, allowed_figures):
                return Verdict.refuse(
                    PUBLIC_FIGURE,
                    matched=name,
                    message=f"Kinema doesn't put real public figures such as {name} in videos "
                    "unless they have made a character and allow it.",
                )
    # Who is a real public figure is for the names list to say: the model cannot tell
    # a real mayor from one in a story.
    ignore = {PUBLIC_FIGURE}

    # Intent in any language, from the multilingual model.
    intent = _strongest_intent(text, forms, ignore)
    if intent is not None:
        category = intent.category(ignore)
        if category == SEXUAL and minor is not None:
            return Verdict.refuse(SEXUAL_MINORS, matched=f"intent + {minor}")
        return Verdict.refuse(category, matched=f"intent {intent.harm(ignore):.2f}")

    # No listed word: refuse only what is close in meaning to a harmful example and
    # clearly closer to it than to anything harmless.
    benign = close("benign")
    for category in _LISTED:
        score = close(category)
        if score >= MEANING_SIMILARITY and score - benign >= MEANING_MARGIN:
            if category == SEXUAL and minor is not None:
                return Verdict.refuse(SEXUAL_MINORS, matched=f"meaning + {minor}")
            return Verdict.refuse(category, matched=f"meaning {score:.2f}")
    return Verdict.allow()


def _pieces(text: str) -> list[str]:
    """A long text cut at line and sentence ends into pieces the model reads whole."""
    if len(text) <= WHOLE_CHARS:
        return [text]
    sentences = [s for s in re.split(r"(?<=[.!?。！？\n])\s*", text) if s.strip()]
    pieces: list[str] = []
    for sentence in sentences:
        while len(sentence) > PIECE_CHARS:  # one very long sentence
            pieces.append(sentence[:PIECE_CHARS])
            sentence = sentence[PIECE_CHARS:]
        if pieces and len(pieces[-1]) + len(sentence) < PIECE_CHARS // 2:
            pieces[-1] += " " + sentence
        else:
            pieces.append(sentence)
    return pieces[:MAX_PIECES]


def _strongest_intent(text: str, forms: list[str], ignore: set[str]) -> Intent | None:
    """The most harmful reading of ``text`` by the intent head, when it is harmful.
    An obfuscated text is also read de-obfuscated ("k1ll", "n u d e"). When ordinary
    phrases were blanked for the word lists ("a naked mole rat"), the text must read as
    harmful both with and without them."""
    text = _MENTION.sub(MENTION_READ_AS, text)
    readings = _pieces(readable(text))
    unmasked = deobfuscate(text)
    if unmasked != plain(text) and len(unmasked) <= WHOLE_CHARS:
        readings.append(unicodedata.normalize("NFC", unmasked))  # Hangul whole again
    blanked = forms[0] != plain(text) and "@" not in forms[0]
    unique = list(dict.fromkeys(readings + (_pieces(forms[0]) if blanked else [])))
    judged = dict(zip(unique, judge_intent(unique), strict=True))

    def worst(pieces: list[str]) -> Intent:
        return max((judged[p] for p in pieces), key=lambda intent: intent.harm(ignore))

    intent = worst(readings)
    if blanked:
        intent = min(intent, worst(_pieces(forms[0])), key=lambda i: i.harm(ignore))
    if len(text.strip()) < SHORT_TEXT_CHARS:
        return intent if intent.harm(ignore) >= SHORT_TEXT_THRESHOLD else None
    return intent if intent.harmful(ignore) else None


def _weak_word_counts(category: str, minor: str | None, close: Callable[[str], float]) -> bool:
    score, benign = close(category), close("benign")
    if category == SEXUAL and minor is not None:
        return score >= MINOR_WEAK_SIMILARITY and score - benign >= MINOR_WEAK_MARGIN
    return score >= WEAK_WORD_SIMILARITY and score > benign


_SECOND_PERSON = re.compile(r"\b(?:you|your|u|ur|yourself|urself)\b")


def _aimed_at_someone(text: str) -> bool:
    """ "kill yourself" in a comment is harassment of the person it answers."""
    return bool(_SECOND_PERSON.search(text))
