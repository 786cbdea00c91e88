"""Benchmark: what does provenance cost next to rendering the video?

Renders a 720x1280, 8 s, 24 fps clip with the procedural engine, then times the three
provenance steps the worker runs on every rendered video — marks (visible moving
watermark + invisible video id, one re-encode), C2PA signing and fingerprinting — and
reports each as a ratio against two times measured in the same run, so a busy or slow
machine affects both sides alike:

- the engine's own render time of that clip;
- a plain PyAV pass over it: decode every frame and encode it again with the engine's
  codec settings, nothing else.

Each time is the median of ``--repeats`` runs; CPU seconds (all threads, and the
engine's child processes) are reported beside the wall-clock times. Also reports the
marked file's size and whether the invisible id reads back from the signed file.

Run: ``python tests/bench/provenance_speed.py [--repeats 3]``
(target: marks + signing + fingerprint <= 0.5x the render time).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

import av

from kinema.engines import GenerationRequest, get_engine
from kinema.engines.procedural.encode import X264_OPTIONS
from kinema.ids import new_id
from kinema.provenance import apply_provenance_marks, fingerprint_video, read_video_id, sign_video

PROMPT = "A fox runs along the beach at sunset while waves roll in, pan right."
WIDTH, HEIGHT, FPS, SECONDS = 720, 1280, 24, 8
T = TypeVar("T")


def _cpu() -> float:
    """CPU seconds used so far by this process (all threads) and its finished children
    (the engine may encode in a child process)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


CPU_SECONDS: dict[str, float] = {}


def _timed(name: str, repeats: int, run: Callable[[int], T]) -> tuple[float, T]:
    """Median wall-clock seconds of ``repeats`` calls of ``run(attempt)``, and the last
    result; the median CPU seconds go to ``CPU_SECONDS[name]`` (on a machine shared with
    other work, CPU time says what a step costs, wall time what it felt like)."""
    times: list[float] = []
    cpu: list[float] = []
    result: T | None = None
    for attempt in range(repeats):
        start, start_cpu = time.perf_counter(), _cpu()
        result = run(attempt)
        times.append(time.perf_counter() - start)
        cpu.append(_cpu() - start_cpu)
    assert result is not None
    CPU_SECONDS[name] = statistics.median(cpu)
    return statistics.median(times), result


def plain_pass(source: Path, output: Path) -> Path:
    """Decode every frame of ``source`` and encode it again with the engine's settings
    (no sound, no changes): the least any re-encoding step can cost."""
    with av.open(str(source)) as src, av.open(str(output), "w") as out:
        stream = src.streams.video[0]
        stream.thread_type = "AUTO"
        video = out.add_stream("libx264", rate=stream.average_rate or FPS)
        video.width, video.height = stream.codec_context.width, stream.codec_context.height
        video.pix_fmt = "yuv420p"
        video.options = dict(X264_OPTIONS)
        for index, frame in enumerate(src.decode(stream)):
            frame.pts = index
            frame.time_base = Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    engine = get_engine("procedural")
    video_id = new_id("vid")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        keys = work / "keys"

        def render(attempt: int) -> Path:
            request = GenerationRequest(
                prompt=PROMPT,
                output=work / f"raw{attempt}.mp4",
                seconds=SECONDS,
                width=WIDTH,
                height=HEIGHT,
                fps=FPS,
                seed=args.seed,
            )
            return Path(engine.generate(request).video_path)

        render_s, raw = _timed("render", args.repeats, render)
        plain_s, _ = _timed(
            "plain_decode_encode", args.repeats, lambda a: plain_pass(raw, work / f"plain{a}.mp4")
        )
        marks_s, marked = _timed(
            "marks",
            args.repeats,
            lambda a: apply_provenance_marks(
                raw, work / f"marked{a}.mp4", handle="fox_maker", video_id=video_id
            ),
        )
        sign_s, signed = _timed(
            "c2pa_sign",
            args.repeats,
            lambda a: sign_video(
                marked, work / f"signed{a}.mp4", author_handle="fox_maker", key_dir=keys
            ),
        )
        fingerprint_s, fingerprint = _timed(
            "fingerprint", args.repeats, lambda a: fingerprint_video(signed, label=video_id)
        )
        id_read = read_video_id(signed) == video_id
        raw_kib = raw.stat().st_size / 1024
        marked_kib = marked.stat().st_size / 1024

    total = marks_s + sign_s + fingerprint_s
    report = {
        "clip": f"{WIDTH}x{HEIGHT}, {SECONDS} s, {FPS} fps, procedural",
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "repeats": args.repeats,
        "seconds": {
            "render": round(render_s, 3),
            "plain_decode_encode": round(plain_s, 3),
            "marks": round(marks_s, 3),
            "c2pa_sign": round(sign_s, 3),
            "fingerprint": round(fingerprint_s, 3),
            "provenance_total": round(total, 3),
        },
        "ratio_to_render": {
            "marks": round(marks_s / render_s, 3),
            "c2pa_sign": round(sign_s / render_s, 3),
            "fingerprint": round(fingerprint_s / render_s, 3),
            "provenance_total": round(total / render_s, 3),
        },
        "cpu_seconds": {name: round(value, 3) for name, value in CPU_SECONDS.items()},
        "cpu_ratio_to_render": {
            name: round(value / CPU_SECONDS["render"], 3)
            for name, value in CPU_SECONDS.items()
            if name != "render"
        },
        "ratio_to_plain_pass": {
            "marks": round(marks_s / plain_s, 3),
            "c2pa_sign": round(sign_s / plain_s, 3),
            "fingerprint": round(fingerprint_s / plain_s, 3),
            "provenance_total": round(total / plain_s, 3),
        },
        "rendered_kib": round(raw_kib),
        "marked_kib": round(marked_kib),
        "fingerprint_frames": len(fingerprint.frame_times),
        "invisible_id_reads_back": id_read,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
