"""How fast is `kinema generate`, compared with the encoder alone?

Times `kinema generate` for a 10 s, 720x1280, 24 fps clip with dialogue, ambience and
music, and divides it by the time PyAV alone takes to encode 240 synthetic frames of the
same size with the same codec settings, measured in the same run (so a busy or slow
machine affects both). Also reports the peak memory of the whole process tree.

Run: ``python tests/bench/engine_speed.py`` (targets: ratio <= 1.5, peak <= 1 GiB).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from kinema.engines.procedural.encode import X264_OPTIONS

PROMPT = (
    "A dog walks along the beach at sunset while waves roll in, pan right. "
    "The dog says 'What a lovely evening for a walk by the sea!' "
    "and a parrot says 'Indeed it is, my friend.'"
)
WIDTH, HEIGHT, FPS, SECONDS = 720, 1280, 24, 10


def _synthetic_frames(count: int) -> list[np.ndarray]:
    """Moving gradients with shapes: about as hard to encode as a rendered scene."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    frames = []
    for i in range(count):
        r = 128 + 100 * np.sin((xx + 6 * i) / 90)
        g = 128 + 100 * np.sin((yy - 4 * i) / 130)
        b = 128 + 100 * np.sin((xx + yy + 8 * i) / 170)
        rgb = np.stack([r, g, b], axis=-1).astype(np.uint8)
        x0 = (40 + 12 * i) % (WIDTH - 200)
        rgb[600:800, x0 : x0 + 200] = (220, 40, 40)
        frames.append(rgb)
    return frames


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def encode_baseline(path: Path) -> tuple[float, float]:
    """Seconds (wall clock, CPU) PyAV takes to encode 240 frames with the engine's codec
    settings."""
    distinct = _synthetic_frames(24)
    cpu = _cpu(resource.RUSAGE_SELF)
    start = time.perf_counter()
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=FPS, options=dict(X264_OPTIONS))
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.time_base = Fraction(1, FPS)
        for i in range(FPS * SECONDS):
            frame = av.VideoFrame.from_ndarray(distinct[i % len(distinct)], format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return time.perf_counter() - start, _cpu(resource.RUSAGE_SELF) - cpu


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def time_generate(path: Path) -> tuple[float, float, int]:
    """Seconds (wall clock, CPU of the whole process tree) for `kinema generate`, and the
    peak memory of its process tree."""
    kinema = Path(sys.executable).with_name("kinema")
    command = [
        str(kinema),
        "generate",
        PROMPT,
        "-o",
        str(path),
        "--seconds",
        str(SECONDS),
        "--size",
        f"{WIDTH}x{HEIGHT}",
        "--fps",
        str(FPS),
        "--seed",
        "7",
    ]
    cpu = _cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0

    def watch() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    _out, err = process.communicate()
    elapsed = time.perf_counter() - start
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"kinema generate failed: {err.decode().strip()}")
    return elapsed, _cpu(resource.RUSAGE_CHILDREN) - cpu, peak


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline, baseline_cpu = encode_baseline(folder / "baseline.mp4")
        generate, generate_cpu, peak = time_generate(folder / "generated.mp4")
        again, again_cpu = encode_baseline(folder / "baseline2.mp4")
    reference = (baseline + again) / 2
    reference_cpu = (baseline_cpu + again_cpu) / 2
    print(f"PyAV alone, 240 frames {WIDTH}x{HEIGHT}: {baseline:.2f} s / {again:.2f} s "
          f"(CPU {baseline_cpu:.2f} s / {again_cpu:.2f} s)")
    print(f"kinema generate, {SECONDS} s {WIDTH}x{HEIGHT} @ {FPS} fps: {generate:.2f} s "
          f"(CPU {generate_cpu:.2f} s, all processes)")
    print(f"ratio: {generate / reference:.2f} (target <= 1.5)")
    # CPU time hardly depends on what else the machine is doing, so this ratio is the
    # steadier figure on a shared machine.
    print(f"CPU-time ratio: {generate_cpu / reference_cpu:.2f}")
    print(f"peak memory (process tree): {peak / 2**20:.0f} MiB (target <= 1024 MiB)")


if __name__ == "__main__":
    main()
