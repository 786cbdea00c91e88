"""How long do the GPU engines take per clip, and what does Kinema add on top of
diffusers?

For each engine (``ltx2``, ``ltx-video``, ``wan``) this makes a 5 s clip at 768x512 and
reports the seconds it takes through Kinema (``engine.generate``: pipeline, sound layer,
MP4 encoding, thumbnail), and, in the same run on the same loaded pipeline, the seconds
the same diffusers pipeline takes when called directly with the very same arguments.
Kinema's overhead is the difference as a share of the direct time (target: <= 3 %).
Repeats alternate the two and report medians, so a busy machine affects both alike.

Weights: with ``--model-dir`` (or ``KINEMA_MODEL_DIR``) holding the real downloads they
are used. Otherwise, on a GPU machine, the published full-size architectures are built
with **random weights** (same compute as the real models, meaningless pictures); the
figures are then timings of the architectures, which is what this measures.

Run on a GPU machine:  ``python tests/bench/gpu_engines.py``
Check it on any CPU:   ``python tests/bench/gpu_engines.py --tiny``
(``--tiny``: a few-thousand-parameter model of each architecture, 2 steps, 256x160,
1 s; it exercises the same code paths, its times are not GPU figures.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kinema.engines.base import GenerationRequest
from kinema.engines.diffusers.engine import DiffusersEngine
from kinema.engines.diffusers.ltx2 import LTX2Engine
from kinema.engines.diffusers.ltx_video import LTXVideoEngine
from kinema.engines.diffusers.options import DiffusersOptions
from kinema.engines.diffusers.random_weights import Scale, build_random_pipeline
from kinema.engines.diffusers.wan import WanEngine

ENGINES: dict[str, type[DiffusersEngine]] = {
    "ltx2": LTX2Engine, "ltx-video": LTXVideoEngine, "wan": WanEngine,
}
PROMPT = (
    "A golden retriever runs along a beach at sunset, waves rolling in, "
    "the camera tracking beside it."
)


def _engine(name: str, args: argparse.Namespace) -> tuple[DiffusersEngine, str]:
    """The engine on real weights when present, else on random weights."""
    cls = ENGINES[name]
    overrides: dict[str, Any] = {}
    if args.steps:
        overrides["steps"] = args.steps
    if args.preset:
        options = DiffusersOptions.for_preset(args.preset, **overrides)
    else:
        options = DiffusersOptions(**overrides)
    model_dir = args.model_dir or os.environ.get("KINEMA_MODEL_DIR")
    if model_dir and not args.tiny:
        options = options.with_changes(model_dir=Path(model_dir))
        engine = cls(options)
        try:
            engine.locate()
            return engine, "real weights"
        except Exception as missing:  # fall back to the same architecture, random weights
            print(f"{name}: {missing}", file=sys.stderr)
    import torch

    scale: Scale = "tiny" if args.tiny else "full"
    device = "cuda" if torch.cuda.is_available() and not args.tiny else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            pipeline = build_random_pipeline(name, scale)
    finally:
        torch.set_default_dtype(previous)
    return cls(options, pipeline=pipeline), f"random weights ({scale})"


def _timed(call: Any) -> float:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    with torch.inference_mode():  # as Kinema runs it, so only Kinema's own work differs
        call()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def bench(name: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Median seconds per clip through Kinema and through diffusers directly."""
    engine, weights = _engine(name, args)
    width, height = args.size
    request = GenerationRequest(
        prompt=PROMPT, output=workdir / f"{name}.mp4", seconds=args.seconds,
        width=width, height=height, fps=24, seed=1,
    )
    engine.generate(request)  # warm-up: loading, first-call compilation, caches

    kinema_times: list[float] = []
    direct_times: list[float] = []
    for run in range(args.repeats):
        pipe, arguments = engine.call_arguments(request)
        # Alternate which goes first so warm caches favour neither.
        if run % 2:
            kinema_times.append(_timed(lambda: engine.generate(request)))
            direct_times.append(_timed(lambda p=pipe, a=arguments: p(**a)))
        else:
            direct_times.append(_timed(lambda p=pipe, a=arguments: p(**a)))
            kinema_times.append(_timed(lambda: engine.generate(request)))
    kinema, direct = statistics.median(kinema_times), statistics.median(direct_times)
    pipe, arguments = engine.call_arguments(request)
    return {
        "engine": name,
        "weights": weights,
        "device": engine.applied.get("device"),
        "size": f"{width}x{height}",
        "seconds_of_video": args.seconds,
        "model_frames": arguments.get("num_frames"),
        "steps": arguments["num_inference_steps"],
        "kinema_s": round(kinema, 3),
        "diffusers_direct_s": round(direct, 3),
        "overhead_s": round(kinema - direct, 3),
        "overhead_pct": round(100 * (kinema - direct) / direct, 2),
        "runs": args.repeats,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true",
                        help="tiny random-weight models on CPU (checks the bench itself)")
    parser.add_argument("--engines", default="ltx2,ltx-video,wan")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--size", default=None, help="WxH, default 768x512 (tiny: 256x160)")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--preset", default=None, help="16, 24, 48 or 80 (GB of VRAM)")
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args(argv)
    import diffusers
    import transformers

    diffusers.utils.logging.set_verbosity_error()
    transformers.utils.logging.set_verbosity_error()
    if args.tiny:
        args.seconds = args.seconds or 1.0
        args.size = args.size or "256x160"
        args.steps = args.steps or 2
    args.seconds = args.seconds or 5.0
    w, h = (args.size or "768x512").lower().split("x")
    args.size = (int(w), int(h))

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in [n.strip() for n in args.engines.split(",") if n.strip()]:
            if name not in ENGINES:
                print(f"unknown engine {name!r}; known: {', '.join(ENGINES)}", file=sys.stderr)
                return 2
            row = bench(name, args, Path(scratch))
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print(f"{'engine':<10} {'weights':<24} {'s per clip':>10} {'direct s':>9} {'overhead':>9}")
    for row in rows:
        print(f"{row['engine']:<10} {row['weights']:<24} {row['kinema_s']:>10.2f} "
              f"{row['diffusers_direct_s']:>9.2f} {row['overhead_pct']:>8.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
