"""How much memory do pictures that are small on disk but big in pixels cost the server?

Starts ``kinema serve`` on a fresh data directory, then sends N parallel requests with a
~150 KB PNG of 6300x6300 pixels (under the 40 MP upload cap): image uploads with an API
key, and anonymous provenance checks. For each scenario (a fresh server each) it reports
the server's resident memory before, at its peak, and 3 s after, and the status codes.

Run: ``python tests/bench/decode_memory.py [--parallel 12] [--side 6300]``.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

MIB = 1024 * 1024


def _kinema() -> str:
    return str(Path(sys.executable).parent / "kinema")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def big_small_png(side: int) -> bytes:
    """A picture of ``side`` x ``side`` pixels that compresses to very little."""
    image = Image.new("RGB", (side, side), (30, 120, 200))
    draw = ImageDraw.Draw(image)
    for step in range(0, side, side // 12):
        draw.ellipse((step, step, step + side // 6, step + side // 6), fill=(240, 200, 40))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _rss(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
        env.update(KINEMA_DATA_DIR=str(data_dir), KINEMA_TRUSTED_PROXIES="127.0.0.1")
        self.env = env
        subprocess.run(
            [_kinema(), "admin", "create-user", "--handle", "bench", "--email",
             "bench@example.com", "--password", "correct horse battery staple"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        self.token = subprocess.run(
            [_kinema(), "admin", "token", "--handle", "bench"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        self.process = subprocess.Popen(
            [_kinema(), "serve", "--port", str(self.port), "--no-worker"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def scenario(name: str, png: bytes, parallel: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder))
        pid = server.process.pid

        def send(index: int) -> int:
            if name == "uploads":
                response = httpx.post(
                    f"{server.url}/api/uploads",
                    headers={"Authorization": f"Bearer {server.token}"},
                    files={"file": ("big.png", png, "image/png")},
                    timeout=600,
                )
            else:
                response = httpx.post(
                    f"{server.url}/api/provenance/check",
                    headers={"X-Forwarded-For": f"203.0.113.{index + 1}"},
                    files={"file": ("big.png", png, "image/png")},
                    timeout=600,
                )
            return response.status_code

        try:
            warm = io.BytesIO()
            Image.new("RGB", (64, 64), (1, 2, 3)).save(warm, "PNG")
            small = warm.getvalue()
            if name == "uploads":
                httpx.post(f"{server.url}/api/uploads", files={"file": ("s.png", small)},
                           headers={"Authorization": f"Bearer {server.token}"}, timeout=120)
            else:
                httpx.post(f"{server.url}/api/provenance/check", timeout=120,
                           headers={"X-Forwarded-For": "198.51.100.1"},
                           files={"file": ("s.png", small)})
            time.sleep(1)
            before = _rss(pid)
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak
            peak = before
            done = threading.Event()

            def watch() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, _rss(pid))
                    time.sleep(0.02)

            watcher = threading.Thread(target=watch)
            watcher.start()
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=parallel) as pool:
                statuses = Counter(pool.map(send, range(parallel)))
            elapsed = time.perf_counter() - started
            done.set()
            watcher.join()
            peak = max(peak, _rss(pid, "VmHWM"))
            time.sleep(3)
            after = _rss(pid)
            print(
                f"{name:8s} x{parallel}: before {before / MIB:7.0f} MiB  peak {peak / MIB:7.0f} "
                f"MiB  (+{(peak - before) / MIB:.0f}, {(peak - before) / MIB / parallel:.0f} "
                f"per request)  3 s after {after / MIB:7.0f} MiB  in {elapsed:5.1f} s  "
                f"statuses {dict(statuses)}",
                flush=True,
            )
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parallel", type=int, default=12)
    parser.add_argument("--side", type=int, default=6300)
    parser.add_argument("--only", choices=("uploads", "checks"))
    args = parser.parse_args()
    png = big_small_png(args.side)
    print(f"PNG: {args.side}x{args.side}, {len(png) / 1024:.0f} KB", flush=True)
    for name in ("uploads", "checks"):
        if args.only in (None, name):
            scenario(name, png, args.parallel)


if __name__ == "__main__":
    main()
