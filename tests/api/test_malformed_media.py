"""Every file-taking address answers a corpus of malformed media with a clear 4xx:
truncated files, wrong magic, metadata in odd encodings, pixel bombs, streams with no
codec, and ffconcat and HLS playlists disguised as media. No 5xx, memory bounded.

The corpus is built here, from a real PNG, JPEG, WebP, GIF and MP4 made on the spot."""

from __future__ import annotations

import contextlib
import io
import struct
import zlib
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
import httpx
import numpy as np
import pytest
from PIL import Image
from sqlalchemy import delete

from kinema.accounts.models import RateLimitBucket
from kinema.db import transaction

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime

MIB = 1024 * 1024
# What the whole corpus may add to the peak memory of the process serving it.
MEMORY_BOUND = 1024 * MIB


def _picture(fmt: str, size: tuple[int, int] = (96, 64)) -> bytes:
    rng = np.random.default_rng(3)
    image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, idat: bytes | None) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = _chunk(b"IHDR", header)
    if idat is not None:
        body += _chunk(b"IDAT", idat)
    return b"\x89PNG\r\n\x1a\n" + body + _chunk(b"IEND", b"")


def _jpeg_declaring(width: int, height: int) -> bytes:
    real = bytearray(_picture("JPEG", (16, 16)))
    at = real.index(b"\xff\xc0")  # baseline start-of-frame: length, precision, h, w
    real[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(real)


def _gif_declaring(width: int, height: int) -> bytes:
    real = bytearray(_picture("GIF", (16, 16)))
    real[6:10] = struct.pack("<HH", width, height)
    return bytes(real)


def _video(path: Path, *, title: str = "", data_only: bool = False, fmt: str = "mp4") -> bytes:
    with av.open(str(path), "w", format=fmt) as container:
        if title:
            container.metadata["title"] = title
        if data_only:
            stream = container.add_data_stream()
            for index in range(4):
                packet = av.Packet(b"no codec reads this" * 8)
                packet.stream, packet.pts, packet.dts = stream, index * 3000, index * 3000
                container.mux(packet)
        else:
            stream = container.add_stream("libx264" if fmt == "mp4" else "mpeg4", rate=12)
            stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
            stream.time_base = Fraction(1, 12)
            for index in range(12):
                pixels = np.full((64, 64, 3), index * 20, dtype=np.uint8)
                for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
    return path.read_bytes()


def _odd_encoding(data: bytes, marker: str) -> bytes:
    """The same file with the metadata text swapped for bytes that are not UTF-8."""
    odd = ("\xe9t\xe9 \xe0 Z\xfcrich \xff\xfe").encode("latin-1")
    target = marker.encode()
    assert target in data
    return data.replace(target, odd.ljust(len(target), b"\xe9")[: len(target)])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("corpus")
    png, jpeg, webp, gif = (_picture(f) for f in ("PNG", "JPEG", "WEBP", "GIF"))
    mp4 = _video(folder / "real.mp4")
    marker = "TITLEMARKERTITLEMARKER"
    files = {
        "empty": b"",
        "random bytes": np.random.default_rng(1).bytes(4096),
        "text": b"hello, I am not a picture\n" * 40,
        "png truncated in the header": png[:30],
        "png truncated in the pixels": png[: len(png) // 2],
        "png without image data": _png(64, 64, None),
        "png with broken image data": _png(64, 64, b"\x78\x9c" + b"\xff" * 200),
        "png bomb declaring 50000x50000": _png(50_000, 50_000, zlib.compress(b"\x00" * 10_000)),
        "png bomb declaring 2^31 wide": _png(2**31 - 1, 1, zlib.compress(b"\x00" * 100)),
        "png with a bad checksum": png[:20] + b"\x00\x00\x00\x00" + png[24:],
        "jpeg truncated": jpeg[: len(jpeg) // 3],
        "jpeg declaring 65000x65000": _jpeg_declaring(65_000, 65_000),
        "jpeg magic on png body": b"\xff\xd8\xff" + png[3:],
        "png magic on jpeg body": png[:8] + jpeg[8:],
        "webp truncated": webp[: len(webp) // 2],
        "webp with riff size lying": webp[:4] + struct.pack("<I", 2**31) + webp[8:],
        "gif declaring 65535x65535": _gif_declaring(65_535, 65_535),
        "gif truncated": gif[:20],
        "mp4 truncated to its header": mp4[:1024],
        "mp4 truncated in half": mp4[: len(mp4) // 2],
        "mp4 with png magic": png[:8] + mp4[8:],
        "mp4 title not utf-8": _odd_encoding(_video(folder / "title.mp4", title=marker), marker),
        "mkv title not utf-8": _odd_encoding(
            _video(folder / "title.mkv", title=marker, fmt="matroska"), marker
        ),
        "ts with only a data stream": _video(folder / "data.ts", data_only=True, fmt="mpegts"),
        "ffconcat playlist": b"ffconcat version 1.0\nfile '/etc/passwd'\nfile 'real.mp4'\n",
        "hls playlist": (
            b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n"
            b"http://169.254.169.254/latest/meta-data\n#EXTINF:10.0,\nfile:///etc/passwd\n"
            b"#EXT-X-ENDLIST\n"
        ),
        "hls playlist after a byte-order mark": b"\xef\xbb\xbf#EXTM3U\n#EXTINF:1,\n/etc/hosts\n",
        "concat list with binary after it": b"ffconcat version 1.0\nfile 'a.mp4'\n\x00\x01\x02",
    }
    return files


def _peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _file_addresses(
    user_client: TestClient, anonymous: TestClient, runtime: Runtime
) -> list[tuple[str, Callable[[str, bytes], httpx.Response]]]:
    def upload(name: str, data: bytes) -> httpx.Response:
        return user_client.post("/api/uploads", files={"file": (name, data)})

    def provenance(name: str, data: bytes) -> httpx.Response:
        # Anonymous checks are rate limited per address; this test is one address.
        with transaction(runtime.sessions) as session:
            session.execute(delete(RateLimitBucket))
        return anonymous.post("/api/provenance/check", files={"file": (name, data)})

    def capture(name: str, data: bytes) -> httpx.Response:
        return user_client.post(
            "/api/characters",
            files={"video": (name, data)},
            data={"name": "Rex", "handle": "rex_corpus", "kind": "pet"},
        )

    def v1_reference(name: str, data: bytes) -> httpx.Response:
        return user_client.post(
            "/v1/videos",
            files={"input_reference": (name, data)},
            data={"prompt": "a red fox in a snowy forest", "seconds": "1", "size": "128x128"},
        )

    def v1_character(name: str, data: bytes) -> httpx.Response:
        return user_client.post(
            "/v1/videos/characters",
            files={"video": (name, data)},
            data={"name": "Rex", "kind": "pet"},
        )

    return [
        ("POST /api/uploads", upload),
        ("POST /api/provenance/check", provenance),
        ("POST /api/characters", capture),
        ("POST /v1/videos", v1_reference),
        ("POST /v1/videos/characters", v1_character),
    ]


def test_malformed_media_gets_a_clear_4xx_everywhere_with_memory_bounded(
    corpus: dict[str, bytes],
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
    runtime: Runtime,
) -> None:
    user_client = api_client(make_user("alice"))
    addresses = _file_addresses(user_client, client, runtime)
    _reset_peak()
    before = _peak_rss()
    failures: list[str] = []
    for label, send in addresses:
        for name, data in corpus.items():
            response = send("file.bin", data)
            status = response.status_code
            if not 400 <= status < 500 or status == 429:
                failures.append(f"{label} · {name}: {status} {response.text[:200]}")
                continue
            error = response.json()["error"]
            assert error["message"], (label, name)
    grown = _peak_rss() - before
    assert not failures, "\n".join(failures)
    assert grown < MEMORY_BOUND, f"peak memory grew by {grown / MIB:.0f} MiB"
