"""Embed every place phrase the planner knows (``vocabulary._place_table``) with
multilingual-e5-small and store them in ``engines/procedural/data/place_vectors.npz``,
so that matching an unknown place by meaning needs one query, not six hundred passages.

    .venv/bin/python scripts/build_place_vectors.py
"""

from __future__ import annotations

import numpy as np

from kinema.embeddings.multilingual import embed_passages
from kinema.engines.procedural import vocabulary


def main() -> None:
    phrases = sorted(vocabulary._place_table())  # the table is the input
    vectors = embed_passages(phrases).astype(np.float16)
    np.savez_compressed(vocabulary.PLACE_VECTORS, phrases=np.array(phrases),
                        vectors=vectors)
    print(f"{len(phrases)} place phrases -> {vocabulary.PLACE_VECTORS}")


if __name__ == "__main__":
    main()
