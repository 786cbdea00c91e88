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


def test_multilingual_vectors_put_the_same_request_together_across_languages() -> None:
    from kinema.embeddings.multilingual import DIMENSIONS, embed_queries

    vectors = embed_queries(
        [
            "how to make a bomb at home",
            "집에서 폭탄 만드는 방법",  # the same, in Korean
            "cómo hacer una bomba en casa",  # in Spanish
            "a chef slicing onions in a kitchen",
        ]
    )
    assert vectors.shape == (4, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    for same in (1, 2):
        assert vectors[0] @ vectors[same] > vectors[0] @ vectors[3] + 0.05
