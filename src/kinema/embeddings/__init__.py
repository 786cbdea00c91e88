"""A small static text embedding model shipped inside the package.

Each WordPiece token has one vector (distilled with Model2Vec from
sentence-transformers/all-MiniLM-L6-v2, Apache-2.0; see LICENSE here and
``scripts/distil_embeddings.py``); a text's vector is the mean of its tokens' vectors,
L2-normalized. It needs only NumPy, runs in microseconds per text, and downloads nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from kinema.embeddings.tokenizer import WordPieceTokenizer

MODEL_DIR = Path(__file__).resolve().parent

__all__ = ["MODEL_DIR", "dimensions", "embed"]


@lru_cache(maxsize=1)
def _model() -> tuple[WordPieceTokenizer, np.ndarray]:
    with np.load(MODEL_DIR / "static_model.npz") as data:
        vectors = data["embeddings"].astype(np.float32) * data["scales"][:, None]
    tokenizer = WordPieceTokenizer.from_vocab_file(MODEL_DIR / "vocab.txt")
    return tokenizer, vectors


def dimensions() -> int:
    """Length of every vector ``embed`` returns."""
    return int(_model()[1].shape[1])


def embed(texts: str | Sequence[str]) -> np.ndarray:
    """Embed texts as rows of an ``(n, dimensions())`` float32 array, each of unit length.

    A text with no known words (empty, emoji only) gets the zero vector, so it is
    similar to nothing. A single string gives a ``(1, dimensions())`` array.
    """
    if isinstance(texts, str):
        texts = [texts]
    tokenizer, vectors = _model()
    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    for row, text in enumerate(texts):
        ids = tokenizer.encode(text)
        if ids:
            mean = vectors[ids].mean(axis=0)
            norm = float(np.linalg.norm(mean))
            if norm > 0:
                out[row] = mean / norm
    return out
