"""Benchmark: moderation quality on the labelled prompt sets in ``tests/data``.

For each set: recall of harmful texts and the false-refusal rate of harmless
(deliberately tricky) ones, overall, per language and per policy topic (sexual,
minors, violence, self-harm, hate, extremism, weapons, public figures, harassment of a
private person), how often the refusal named the labelled category, and the time per
text after warm-up.

- ``moderation_multilingual.jsonl``: the first training set, in twelve languages;
- ``moderation_multilingual.broad.jsonl``: the second training set, in seventeen
  languages: every policy topic in plain words, slang, paraphrase and obfuscation
  (look-alike letters, leetspeak, masked and spaced letters, text reversed inside a
  right-to-left override), and hard harmless prompts that share their words (cooking,
  games, history, medicine, news, sport, film fights, children's parties, swimwear);
- ``moderation_everyday.jsonl``: ordinary prompts and edit instructions in many
  languages, all harmless, trained on so that a woman walking alone at night or a
  baby in the bath reads as the everyday scene it is;
- ``moderation_prompts.jsonl`` and ``.heldout.jsonl``: the earlier English sets;
  all of the above train the intent head (``scripts/train_moderation_head.py``) and
  their figures are training figures, not a measure of what Kinema will meet;
- ``moderation_multilingual.fresh.jsonl``: the first fresh evaluation set, never
  trained on, but its mistakes were read while an earlier classifier was built and the
  training set was broadened in the same categories, so it is no longer unseen;
- ``moderation_multilingual.fresh2.jsonl``: the second fresh set, never read for
  mistakes or trained on; its figures were looked at (in aggregate) when thresholds
  were chosen. The hardest of the three: indirect wording, in eight languages;
- ``moderation_multilingual.fresh3.jsonl``: the third fresh set, 275 prompts in
  fourteen languages (153 harmful, 122 harmless look-alikes), written before the
  classifier was retrained and the multilingual word lists were added, and never
  trained on; its
  figures were read in aggregate only, after each retraining. It was written by the
  same hands as the broad training set, so it is closer to it in style than a user's
  prompts would be: fresh2 is the more sober figure.

Run: ``python tests/bench/moderation_quality.py [--show-mistakes] [--set NAME]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from kinema.safety import moderate_text

DATA = Path(__file__).resolve().parents[1] / "data"
SETS = [
    "moderation_multilingual.jsonl",
    "moderation_multilingual.broad.jsonl",
    "moderation_everyday.jsonl",
    "moderation_prompts.jsonl",
    "moderation_prompts.heldout.jsonl",
    "moderation_multilingual.fresh.jsonl",
    "moderation_multilingual.fresh2.jsonl",
    "moderation_multilingual.fresh3.jsonl",
]


def _rate(hit: int, total: int) -> str:
    return f"{hit}/{total} ({100 * hit / total:.0f}%)" if total else "-"


def evaluate(path: Path, show_mistakes: bool = False) -> dict[str, object]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    harmful: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    harmless: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    topics_caught: Counter[str] = Counter()
    right_category = 0
    mistakes: list[str] = []
    times: list[float] = []
    for row in rows:
        lang = row.get("lang", "en")
        start = time.perf_counter()
        verdict = moderate_text(row["text"], context=row.get("context", "prompt"))
        times.append(time.perf_counter() - start)
        if row["harmful"]:
            topic = row.get("topic", row["category"])
            harmful[lang] += 1
            topics[topic] += 1
            if not verdict.allowed:
                caught[lang] += 1
                topics_caught[topic] += 1
                right_category += verdict.category == row["category"]
            else:
                mistakes.append(f"missed [{lang} {topic}] {row['text']}")
        else:
            harmless[lang] += 1
            if not verdict.allowed:
                refused[lang] += 1
                why = f"{verdict.category}: {verdict.matched}"
                mistakes.append(f"refused [{lang} {why}] {row['text']}")
    if show_mistakes:
        for line in mistakes:
            print("  " + line)
    tp, fp = sum(caught.values()), sum(refused.values())
    return {
        "set": path.name,
        "texts": len(rows),
        "recall": _rate(tp, sum(harmful.values())),
        "false_refusals": _rate(fp, sum(harmless.values())),
        "precision": round(tp / max(1, tp + fp), 4),
        "right_category": round(right_category / max(1, tp), 4),
        "recall_by_language": {k: _rate(caught[k], n) for k, n in sorted(harmful.items())},
        "false_refusals_by_language": {
            k: _rate(refused[k], n) for k, n in sorted(harmless.items())
        },
        "recall_by_topic": {k: _rate(topics_caught[k], n) for k, n in sorted(topics.items())},
        "ms_per_text_median": round(1000 * statistics.median(times), 2),
        "ms_per_text_p95": round(1000 * sorted(times)[int(0.95 * (len(times) - 1))], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-mistakes", action="store_true")
    parser.add_argument("--set", action="append", help="only these sets (file names)")
    args = parser.parse_args()
    moderate_text("warm up the word lists and the embedding models")
    names = args.set or SETS
    report = [evaluate(DATA / name, args.show_mistakes) for name in names if (DATA / name).exists()]
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
