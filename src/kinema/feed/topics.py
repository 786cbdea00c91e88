"""Semantic matching of feed topics ("animals", "sports") to videos, with the static
embedding model shipped in ``kinema.embeddings``.

A video's text (prompt and caption, hashtags as words) is reduced to its content words.
A topic matches a video as closely as it matches the video's closest word: "animals" is
near "horse" and "dog", "sports" near "football" and "basketball", while a whole-sentence
vector would dilute the one word that matters. Word vectors are cached in the process
(the vocabulary of prompts is small), so ranking needs one small matrix product.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from kinema.embeddings import dimensions, embed

# A video is about a topic from this similarity up (e.g. sports ~ football 0.74,
# animals ~ dog 0.48); below it, the word only shares a context.
MATCH_SIMILARITY = 0.45
# "no X" removes a video from this similarity up.
EXCLUDE_SIMILARITY = 0.5
# Boosts grow from FLOOR to full strength at CEILING.
BOOST_FLOOR = 0.3
BOOST_CEILING = 0.7
_WORD_CACHE_LIMIT = 50_000

_WORD = re.compile(r"[a-z][a-z'-]{1,30}")
_STOPWORDS = frozenset(
    re.findall(
        r"[a-z]+",
        """a an the and or but of in on at to for from with by into onto over under near
    above below is are was were be been being it its this that these those his her
    their our your my me we you he she they them who what when where why how very so
    too just then than as up down out off again all any some no not one two three part
    day new had has have make made wait why who else wants sequel though ending
    favourite favorite calming while next big small""",
    )
)

_word_vectors: dict[str, np.ndarray] = {}


@lru_cache(maxsize=100_000)
def video_words(text: str) -> tuple[str, ...]:
    """The content words of a video's prompt and caption, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower().replace("#", " ")):
        word = word.strip("'-")
        if len(word) > 2 and word not in _STOPWORDS:
            seen.setdefault(word, None)
    return tuple(seen)


def _vectors_for(words: Sequence[str]) -> np.ndarray:
    missing = [w for w in words if w not in _word_vectors]
    if missing:
        if len(_word_vectors) + len(missing) > _WORD_CACHE_LIMIT:
            _word_vectors.clear()
        for word, vector in zip(missing, embed(missing), strict=True):
            _word_vectors[word] = vector
    if not words:
        return np.zeros((0, dimensions()), dtype=np.float32)
    return np.stack([_word_vectors[w] for w in words])


@lru_cache(maxsize=512)
def _topic_vector(topic: str) -> np.ndarray:
    return embed(topic)[0]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def topic_similarity(topics: Sequence[str], texts: Sequence[tuple[str, ...]]) -> np.ndarray:
    """``(len(texts), len(topics))`` similarities in [0, 1]: for each video's words and
    each topic, the closest word's cosine similarity (1 for the topic's own words)."""
    result = np.zeros((len(texts), len(topics)), dtype=np.float32)
    if not topics or not texts:
        return result
    vocabulary = sorted({w for words in texts for w in words})
    if not vocabulary:
        return result
    index = {w: i for i, w in enumerate(vocabulary)}
    topic_matrix = np.stack([_topic_vector(t) for t in topics])
    similarity = np.clip(_vectors_for(vocabulary) @ topic_matrix.T, 0.0, 1.0)
    topic_words = [{_singular(w) for w in video_words(t)} or {_singular(t)} for t in topics]
    for row, words in enumerate(texts):
        if not words:
            continue
        result[row] = similarity[[index[w] for w in words]].max(axis=0)
        singulars = {_singular(w) for w in words}
        for column, wanted in enumerate(topic_words):
            if wanted <= singulars:
                result[row, column] = 1.0
    return result


def boost_strength(similarity: np.ndarray) -> np.ndarray:
    """0 below ``BOOST_FLOOR``, rising to 1 at ``BOOST_CEILING``."""
    return np.clip((similarity - BOOST_FLOOR) / (BOOST_CEILING - BOOST_FLOOR), 0.0, 1.0)
