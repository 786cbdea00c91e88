from __future__ import annotations

import numpy as np

from kinema.embeddings import dimensions, embed


def test_vectors_are_unit_length_and_meaningful() -> None:
    vectors = embed(["a kitten riding a skateboard", "a cat on a skateboard", "tax law"])
    assert vectors.shape == (3, dimensions())
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_single_text_and_text_without_words() -> None:
    assert embed("cooking pasta").shape == (1, dimensions())
    assert not embed(["", "🙂"]).any()
