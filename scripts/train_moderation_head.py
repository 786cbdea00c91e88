"""Train the moderation intent head shipped as ``src/kinema/safety/data/intent_head.npz``.

Reads the labelled training prompts in ``tests/data`` (never the ``*.fresh*.jsonl``
evaluation sets): the two multilingual sets, the everyday prompts and the English
sets. It embeds them with multilingual-e5-small as ``moderation`` reads them
(``normalize.readable``), and fits:

1. prototypes: spherical k-means centroids of each class's examples;
2. a multinomial logistic regression (L2, harmless and harmful prompts weighted
   equally) over the vector and its closeness to each class's prototypes.

The refusal threshold on the probability of the likeliest kind of harm is chosen on
out-of-fold predictions (5 folds, prototypes and head refitted per fold), for
moderation as a whole: a prompt
is refused when the word lists and public figures refuse it or the head's score
reaches the threshold. The threshold is the highest whose recall is at least
``--recall`` while false refusals stay at most ``--false-refusals``; if none meets
both, the one with the best recall within the false-refusal bound.

Run: ``python scripts/train_moderation_head.py`` (about a minute on two cores).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from unittest import mock

import numpy as np
from scipy.optimize import minimize

from kinema.embeddings.multilingual import embed_queries
from kinema.safety import text as moderation
from kinema.safety.intent import BENIGN, CLASSES, HEAD_PATH, features, harm_scores, softmax
from kinema.safety.normalize import readable
from kinema.safety.verdict import PUBLIC_FIGURE

ROOT = Path(__file__).resolve().parents[1]
TRAINING_SETS = (
    "moderation_multilingual.broad.jsonl",
    "moderation_everyday.jsonl",
    "moderation_multilingual.jsonl",
    "moderation_prompts.jsonl",
    "moderation_prompts.heldout.jsonl",
)
PROTOTYPES_PER_CLASS = 8
FOLDS = 5


def load_rows(data_dir: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name in TRAINING_SETS:
        assert "fresh" not in name, "the fresh evaluation set is never used for training"
        text = (data_dir / name).read_text(encoding="utf-8")
        rows += [json.loads(line) for line in text.splitlines() if line.strip()]
    return rows


def label(row: dict[str, object]) -> int:
    return CLASSES.index(str(row["category"]) if row["harmful"] else BENIGN)


def spherical_kmeans(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    """``k`` unit centroids of unit ``vectors`` (cosine k-means, k-means++ start)."""
    rng = np.random.default_rng(seed)
    k = max(1, min(k, len(vectors)))
    centroids = [vectors[rng.integers(len(vectors))]]
    for _ in range(1, k):
        distance = 1.0 - np.max(vectors @ np.array(centroids).T, axis=1)
        weights = np.clip(distance, 1e-9, None) ** 2
        centroids.append(vectors[rng.choice(len(vectors), p=weights / weights.sum())])
    centers = np.array(centroids)
    for _ in range(30):
        assignment = np.argmax(vectors @ centers.T, axis=1)
        for index in range(k):
            members = vectors[assignment == index]
            if len(members):
                mean = members.mean(axis=0)
                centers[index] = mean / np.linalg.norm(mean)
    return centers.astype(np.float32)


def fit_prototypes(vectors: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    prototypes, classes = [], []
    for index in range(len(CLASSES)):
        members = vectors[labels == index]
        if not len(members):
            continue
        k = PROTOTYPES_PER_CLASS * (2 if index == 0 else 1)
        centers = spherical_kmeans(members, min(k, max(1, len(members) // 6)), seed=index)
        prototypes.append(centers)
        classes += [index] * len(centers)
    return np.vstack(prototypes), np.array(classes, dtype=np.int64)


def fit_head(x: np.ndarray, labels: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression; harmless and harmful texts weigh the same."""
    d = x.shape[1]
    k = len(CLASSES)
    onehot = np.eye(k)[labels]
    benign = labels == 0
    weight = np.where(benign, 0.5 / max(1, benign.sum()), 0.5 / max(1, (~benign).sum()))

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = flat[: d * k].reshape(d, k), flat[d * k :]
        p = softmax(x @ w + b)
        value = -float(np.sum(weight * np.log(np.sum(p * onehot, axis=1) + 1e-12)))
        value += 0.5 * l2 * float(np.sum(w * w))
        g = (p - onehot) * weight[:, None]
        grad_w = x.T @ g + l2 * w
        return value, np.concatenate([grad_w.ravel(), g.sum(axis=0)])

    start = np.zeros(d * k + k)
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    flat = result.x
    return flat[: d * k].reshape(d, k).astype(np.float32), flat[d * k :].astype(np.float32)


def train(vectors: np.ndarray, labels: np.ndarray, l2: float) -> dict[str, np.ndarray]:
    prototypes, prototype_classes = fit_prototypes(vectors, labels)
    x = features(vectors, prototypes, prototype_classes)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    weights, bias = fit_head((x - mean) / scale, labels, l2)
    return {
        "prototypes": prototypes,
        "prototype_classes": prototype_classes,
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        "weights": weights,
        "bias": bias,
    }


def harm(model: dict[str, np.ndarray], vectors: np.ndarray) -> np.ndarray:
    x = features(vectors, model["prototypes"], model["prototype_classes"])
    p = softmax(((x - model["mean"]) / model["scale"]) @ model["weights"] + model["bias"])
    return harm_scores(p, ignore=(PUBLIC_FIGURE,))  # the names list decides those


def out_of_fold(vectors: np.ndarray, labels: np.ndarray, l2: float) -> np.ndarray:
    rng = np.random.default_rng(0)
    fold = np.empty(len(labels), dtype=np.int64)
    for index in range(len(CLASSES)):  # stratified
        members = rng.permutation(np.flatnonzero(labels == index))
        fold[members] = np.arange(len(members)) % FOLDS
    scores = np.zeros(len(labels))
    for k in range(FOLDS):
        held = fold == k
        model = train(vectors[~held], labels[~held], l2)
        scores[held] = harm(model, vectors[held])
    return scores


def refused_without_head(rows: list[dict[str, object]]) -> np.ndarray:
    """Which rows the word lists, public figures and static meaning check refuse."""
    with mock.patch.object(moderation, "_strongest_intent", return_value=None):
        return np.array(
            [
                not moderation.moderate_text(
                    str(row["text"]),
                    context=str(row.get("context", "prompt")),  # type: ignore[arg-type]
                ).allowed
                for row in rows
            ]
        )


def choose_threshold(
    scores: np.ndarray,
    listed: np.ndarray,
    harmful: np.ndarray,
    recall: float,
    false_refusals: float,
) -> float:
    candidates = np.unique(np.round(scores, 4))
    best, best_recall = 0.5, -1.0
    for t in sorted(candidates, reverse=True):
        refused = listed | (scores >= t)
        got = float(np.mean(refused[harmful]))
        fr = float(np.mean(refused[~harmful]))
        if fr > false_refusals:
            break
        if got >= recall:
            return float(t)
        if got > best_recall:
            best, best_recall = float(t), got
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "data")
    parser.add_argument("--out", type=Path, default=HEAD_PATH)
    parser.add_argument("--l2", type=float, default=0.01)
    parser.add_argument("--recall", type=float, default=0.96)
    parser.add_argument("--false-refusals", type=float, default=0.05)
    # Held-out folds of the training set are full of deliberately tricky harmless
    # prompts; everyday prompts (tests/data/understanding_prompts.jsonl: a skier jumping
    # off a ramp, a baby crawling toward a puppy) were refused about 3 times in 100 at
    # the folds' choice of 0.29, and about once in 70 from 0.4 up.
    parser.add_argument("--min-threshold", type=float, default=0.4)
    args = parser.parse_args()

    rows = load_rows(args.data)
    labels = np.array([label(row) for row in rows])
    harmful = labels != 0
    vectors = embed_queries([readable(str(row["text"])) for row in rows])

    scores = out_of_fold(vectors, labels, args.l2)
    listed = refused_without_head(rows)
    threshold = max(
        args.min_threshold,
        choose_threshold(scores, listed, harmful, args.recall, args.false_refusals),
    )
    print(f"{len(rows)} prompts, {int(harmful.sum())} harmful; held-out folds:")
    print(
        f"  word lists alone: recall {np.mean(listed[harmful]):.3f}, "
        f"false refusals {np.mean(listed[~harmful]):.3f}"
    )
    for t in sorted({0.3, 0.4, 0.5, 0.6, 0.7, round(threshold, 3)}):
        refused = listed | (scores >= t)
        print(
            f"  threshold {t:.3f}: head alone recall {np.mean(scores[harmful] >= t):.3f}, "
            f"false refusals {np.mean(scores[~harmful] >= t):.3f}; with the lists "
            f"recall {np.mean(refused[harmful]):.3f}, "
            f"false refusals {np.mean(refused[~harmful]):.3f}"
        )
    model = train(vectors, labels, args.l2)
    np.savez_compressed(args.out, threshold=np.float32(threshold), **model)
    print(f"threshold {threshold:.3f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
