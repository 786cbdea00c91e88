"""Intent in any language: what a text asks for, judged from its meaning.

The text is embedded with multilingual-e5-small (``kinema.embeddings.multilingual``), so
"a knife in a child's belly" reads the same in Korean, Spanish or English. Two things
are then measured against the labelled prompts Kinema ships (``tests/data``, written in
seventeen languages by hand, with everyday prompts and hard harmless look-alikes):

1. prototypes: a few centroids of each category's examples (and of harmless ones that
   share their words: a knife in a cooking video, "shooting" a film); the text's
   closeness to the nearest centroid of each category;
2. a linear head: multinomial logistic regression over the vector and those
   closenesses, trained by ``scripts/train_moderation_head.py``.

The head's weights, the centroids and the refusal threshold (chosen on held-out folds
for recall of at least 95% with at most 5% of harmless prompts refused, and never under
0.4, where everyday prompts stop being refused) ship as ``data/intent_head.npz``.
Only NumPy runs here; a text takes a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from kinema.embeddings.multilingual import embed_queries
from kinema.safety.terms import DATA_DIR
from kinema.safety.verdict import (
    HATE_HARASSMENT,
    PUBLIC_FIGURE,
    SELF_HARM,
    SEXUAL,
    SEXUAL_MINORS,
    VIOLENCE_GORE,
    WEAPONS_TERROR,
)

HEAD_PATH = DATA_DIR / "intent_head.npz"
BENIGN = "benign"
# The head's classes, in the order of its outputs.
CLASSES = (
    BENIGN,
    SEXUAL,
    SEXUAL_MINORS,
    VIOLENCE_GORE,
    SELF_HARM,
    HATE_HARASSMENT,
    WEAPONS_TERROR,
    PUBLIC_FIGURE,
)


# Classes that are one kind of harm for deciding: a request can read as sexual and as
# sexual with a minor at once without being less harmful.
HARM_GROUPS = (
    (SEXUAL, SEXUAL_MINORS),
    (VIOLENCE_GORE,),
    (SELF_HARM,),
    (HATE_HARASSMENT,),
    (WEAPONS_TERROR,),
    (PUBLIC_FIGURE,),
)


def harm_scores(probabilities: np.ndarray, ignore: Collection[str] = ()) -> np.ndarray:
    """The probability of the likeliest kind of harm, per row of class probabilities.
    Harm spread thinly over several kinds ("buy cheap followers": a little hate, a
    little weapons) is doubt, not a harmful request."""
    columns = [
        [CLASSES.index(name) for name in group if name not in ignore] for group in HARM_GROUPS
    ]
    sums = [probabilities[:, c].sum(axis=1) for c in columns if c]
    return np.max(np.stack(sums, axis=1), axis=1)


@dataclass(frozen=True)
class Intent:
    """The probability of each class in ``CLASSES`` for one text, and the threshold
    on the probability of its likeliest kind of harm at which the text is refused."""

    probabilities: tuple[float, ...]
    threshold: float

    def harm(self, ignore: Collection[str] = ()) -> float:
        """Probability of the likeliest kind of harm, leaving out the categories in
        ``ignore`` (public figures in a comment, say)."""
        return float(harm_scores(np.array([self.probabilities]), ignore)[0])

    def category(self, ignore: Collection[str] = ()) -> str:
        """The likeliest harmful category, leaving out those in ``ignore``."""
        ranked = sorted(zip(self.probabilities, CLASSES, strict=True), reverse=True)
        return next(name for _, name in ranked if name != BENIGN and name not in ignore)

    def harmful(self, ignore: Collection[str] = ()) -> bool:
        return self.harm(ignore) >= self.threshold


def closeness(
    vectors: np.ndarray, prototypes: np.ndarray, prototype_classes: np.ndarray
) -> np.ndarray:
    """For each text, its cosine similarity to the nearest prototype of each class:
    an ``(n, len(CLASSES))`` array."""
    similarity = vectors @ prototypes.T
    out = np.full((len(vectors), len(CLASSES)), -1.0, dtype=np.float32)
    for index in range(len(CLASSES)):
        columns = prototype_classes == index
        if columns.any():
            out[:, index] = similarity[:, columns].max(axis=1)
    return out


def features(
    vectors: np.ndarray, prototypes: np.ndarray, prototype_classes: np.ndarray
) -> np.ndarray:
    """What the head reads: the text's vector followed by its closeness to each class."""
    return np.hstack([vectors, closeness(vectors, prototypes, prototype_classes)])


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class IntentHead:
    prototypes: np.ndarray  # (p, 384) unit vectors
    prototype_classes: np.ndarray  # (p,) index into CLASSES
    mean: np.ndarray  # feature standardisation
    scale: np.ndarray
    weights: np.ndarray  # (features, len(CLASSES))
    bias: np.ndarray
    threshold: float  # refuse when the likeliest kind of harm reaches this

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> IntentHead:
        with np.load(path) as data:
            return cls(
                prototypes=data["prototypes"].astype(np.float32),
                prototype_classes=data["prototype_classes"].astype(np.int64),
                mean=data["mean"].astype(np.float32),
                scale=data["scale"].astype(np.float32),
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32),
                threshold=float(data["threshold"]),
            )

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """``(n, len(CLASSES))`` class probabilities for embedded texts."""
        x = (features(vectors, self.prototypes, self.prototype_classes) - self.mean) / self.scale
        return softmax(x @ self.weights + self.bias)


@lru_cache(maxsize=1)
def intent_head() -> IntentHead:
    """The shipped head, loaded once."""
    return IntentHead.load()


def judge_intent(texts: Sequence[str]) -> list[Intent]:
    """The intent of each text (already normalised for reading, see
    ``normalize.readable``)."""
    if not texts:
        return []
    head = intent_head()
    probabilities = head.probabilities(embed_queries(list(texts)))
    return [
        Intent(probabilities=tuple(float(p) for p in row), threshold=head.threshold)
        for row in probabilities
    ]
