"""Benchmark: do provenance marks and fingerprints survive what re-uploaders do?

Renders clips with the procedural engine (or, where it is not installed, synthetic
NumPy clips), gives each the visible and invisible marks and a C2PA signature as the
worker does, then makes three changed copies of each — a lower bitrate (half the
original picture bitrate), half size, and a 2.5 s excerpt — and reports:

- detection rate: changed copies whose fingerprint matches the right video;
- false matches: unrelated clips (other prompts and seeds) that match anything;
- invisible-mark decode rate per change.

Run: ``python tests/bench/provenance_robustness.py [--clips 20] [--unrelated 20]``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "provenance"))

from synthetic import make_clip, reencode, video_bitrate

from kinema.ids import new_id
from kinema.provenance import (
    apply_provenance_marks,
    fingerprint_video,
    match,
    read_credentials,
    read_video_id,
    sign_video,
)

SUBJECTS = [
    "a fox",
    "a robot",
    "a cat",
    "a dragon",
    "an astronaut",
    "a penguin",
    "a chef",
    "a horse",
    "a whale",
    "a child with a kite",
    "a knight",
    "a bicycle courier",
    "a tiger",
    "a ghost",
    "a snowman",
    "an owl",
    "a pirate",
    "a dancer",
    "a frog",
    "a delivery drone",
    "a bear",
    "a lighthouse keeper",
    "a monkey",
    "a surfer",
]
PLACES = [
    "in a snowy forest at dawn",
    "on a busy city street at night",
    "on a beach at sunset",
    "in a desert under a storm",
    "on the moon",
    "in a rainy market",
    "in a jungle at noon",
    "on a mountain top in fog",
    "in a neon-lit alley",
    "in a wheat field in autumn",
    "under the sea",
    "in a cozy kitchen",
    "in a castle courtyard",
    "on a frozen lake",
]
ACTIONS = ["running", "dancing", "singing", "jumping", "waving", "sleeping", "cooking"]

SIZE = (360, 640)
SECONDS = 5.0


def _prompt(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(PLACES)}"


def _renderer():
    try:
        from kinema.engines import GenerationRequest, get_engine

        engine = get_engine("procedural")
    except Exception:  # the engine is optional for this benchmark
        return None, "synthetic"

    def render(path: Path, seed: int, prompt: str) -> Path:
        request = GenerationRequest(
            prompt=prompt,
            output=path,
            seconds=SECONDS,
            width=SIZE[0],
            height=SIZE[1],
            fps=24,
            seed=seed,
        )
        return engine.generate(request).video_path

    return render, "procedural"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=20)
    parser.add_argument("--unrelated", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    render, source = _renderer()

    def make(path: Path, seed: int) -> tuple[Path, str]:
        prompt = _prompt(rng)
        if render is None:
            return make_clip(path, seed, seconds=SECONDS, width=SIZE[0], height=SIZE[1]), prompt
        return render(path, seed, prompt), prompt

    timings: dict[str, list[float]] = {}

    def timed(name: str, fn, *a, **kw):
        start = time.perf_counter()
        result = fn(*a, **kw)
        timings.setdefault(name, []).append(time.perf_counter() - start)
        return result

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        keys = work / "keys"
        library = []
        published: list[tuple[Path, str]] = []
        for i in range(args.clips):
            raw, _ = make(work / f"raw{i}.mp4", 1000 + i)
            video_id = new_id("vid")
            marked = timed(
                "marks",
                apply_provenance_marks,
                raw,
                work / f"marked{i}.mp4",
                handle=f"maker{i}",
                video_id=video_id,
            )
            signed = timed(
                "c2pa_sign",
                sign_video,
                marked,
                work / f"pub{i}.mp4",
                author_handle=f"maker{i}",
                key_dir=keys,
            )
            credentials = read_credentials(signed, trust_ca=keys / "c2pa_ca.pem")
            assert credentials is not None and credentials.trusted
            library.append(timed("fingerprint", fingerprint_video, signed, label=video_id))
            published.append((signed, video_id))

        changes = {
            "lower_bitrate": lambda p: {
                "video_bitrate": int(video_bitrate(p) / 2),
                "audio_bitrate": 64_000,
            },
            "half_size": lambda p: {"scale": 0.5},
            "excerpt_2.5s": lambda p: (lambda s: {"start": s, "end": s + 2.5})(
                round(rng.uniform(0.3, SECONDS - 2.8), 3)
            ),
        }
        detected = {name: 0 for name in changes}
        decoded = {name: 0 for name in changes}
        decoded["original"] = 0
        true_scores: list[float] = []
        for i, (path, video_id) in enumerate(published):
            decoded["original"] += timed("read_mark", read_video_id, path) == video_id
            for name, options in changes.items():
                copy = reencode(path, work / f"copy{i}_{name}.mp4", **options(path))
                best, score = timed("match", match, fingerprint_video(copy), library)
                detected[name] += best is not None and best.label == video_id
                true_scores.append(score)
                decoded[name] += read_video_id(copy) == video_id

        false_matches = 0
        false_mark_reads = 0
        false_scores: list[float] = []
        for j in range(args.unrelated):
            raw, _ = make(work / f"stranger{j}.mp4", 5000 + j)
            copy = reencode(raw, work / f"stranger{j}_copy.mp4")
            best, score = match(fingerprint_video(copy), library)
            false_matches += best is not None
            false_scores.append(score)
            false_mark_reads += read_video_id(copy) is not None

    total = args.clips * len(changes)
    report = {
        "clips": args.clips,
        "source": source,
        "size": f"{SIZE[0]}x{SIZE[1]}",
        "seconds": SECONDS,
        "detection_rate": round(sum(detected.values()) / total, 4),
        "detection_by_change": {k: f"{v}/{args.clips}" for k, v in detected.items()},
        "unrelated_clips": args.unrelated,
        "false_matches": false_matches,
        "unrelated_clips_with_a_mark_read": false_mark_reads,
        "lowest_true_similarity": round(min(true_scores), 3),
        "highest_unrelated_similarity": round(max(false_scores), 3),
        "invisible_mark_decode": {k: f"{v}/{args.clips}" for k, v in decoded.items()},
        "mean_seconds": {k: round(sum(v) / len(v), 3) for k, v in timings.items()},
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
