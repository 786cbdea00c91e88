"""Benchmark: moderation quality on the labelled prompt sets in ``tests/data``.

Reports, per set, precision and recall on harmful texts, the false-refusal rate on
harmless (deliberately tricky) ones, recall per category, how often the category was
the labelled one, and the mean time per text.

- ``moderation_prompts.jsonl``: the main labelled set (the unit tests assert its
  targets: recall >= 95%, false refusals <= 5%);
- ``moderation_prompts.heldout.jsonl``: a second set written after the word lists were
  drafted. Measured first, before any list was widened for its misses, it scored
  recall 87.5% and 5% false refusals; the lists were then extended for the general
  gaps it showed, so it is no longer unseen. Write a fresh set to judge a change.

Run: ``python tests/bench/moderation_quality.py [--show-mistakes]``
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from kinema.safety import moderate_text

DATA = Path(__file__).resolve().parents[1] / "data"
SETS = ["moderation_prompts.jsonl", "moderation_prompts.heldout.jsonl"]


def evaluate(path: Path, show_mistakes: bool) -> dict[str, object]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    tp = fp = fn = tn = 0
    right_category = 0
    per_category: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    mistakes: list[str] = []
    start = time.perf_counter()
    for row in rows:
        verdict = moderate_text(row["text"], context=row.get("context", "prompt"))
        refused = not verdict.allowed
        if row["harmful"]:
            per_category[row["category"]] += 1
            if refused:
                tp += 1
                caught[row["category"]] += 1
                right_category += verdict.category == row["category"]
            else:
                fn += 1
                mistakes.append(f"missed [{row['category']}] {row['text']}")
        elif refused:
            fp += 1
            mistakes.append(f"refused [{verdict.category}: {verdict.matched}] {row['text']}")
        else:
            tn += 1
    elapsed = time.perf_counter() - start
    if show_mistakes:
        for line in mistakes:
            print("  " + line)
    return {
        "set": path.name,
        "texts": len(rows),
        "harmful": tp + fn,
        "harmless": fp + tn,
        "precision": round(tp / max(1, tp + fp), 4),
        "recall": round(tp / max(1, tp + fn), 4),
        "false_refusal_rate": round(fp / max(1, fp + tn), 4),
        "right_category": round(right_category / max(1, tp), 4),
        "recall_by_category": {c: f"{caught[c]}/{n}" for c, n in sorted(per_category.items())},
        "ms_per_text": round(1000 * elapsed / max(1, len(rows)), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-mistakes", action="store_true")
    args = parser.parse_args()
    moderate_text("warm up the word lists and the embedding model")
    report = [evaluate(DATA / name, args.show_mistakes) for name in SETS if (DATA / name).exists()]
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
