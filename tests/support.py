"""Helpers that tests in several folders share (import them: ``from support import ...``).
Fixtures stay in the ``conftest.py`` files; this module holds plain functions and constants."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.request import Request, urlopen

import numpy as np

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User

# The password ``make_user`` gives every user unless told otherwise.
DEFAULT_PASSWORD = "correct horse battery staple"


def log_in(client: TestClient, user: User, password: str = DEFAULT_PASSWORD) -> None:
    """Sign ``client`` in as ``user`` with the session cookie, the way a browser does,
    and make it send the CSRF header that the web pages send."""
    response = client.post("/api/auth/login", json={"login": user.handle, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = client.cookies["kinema_csrf"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_process(
    process: subprocess.Popen[Any], sig: int = signal.SIGINT, timeout: float = 20
) -> None:
    """Ask a server or worker process to stop with ``sig``; kill it if it has not ended
    within ``timeout`` seconds."""
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def call_api(
    base: str, method: str, path: str, key: str, body: dict[str, Any] | None = None
) -> Any:
    """One JSON request to a running server with an API key; returns the decoded answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = Request(
        f"{base}{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urlopen(request) as answer:
        return json.load(answer)


def changed_pixels(original: np.ndarray, marked: np.ndarray) -> np.ndarray:
    """Where two RGB frames visibly differ: a boolean mask of the pixels."""
    return np.abs(original.astype(int) - marked.astype(int)).sum(axis=2) > 30


def top_level_boxes(path: Path) -> list[str]:
    """The types of an MP4 file's top-level boxes, in file order."""
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return boxes


def assert_same_video_format(original: Path, changed: Path, size: tuple[int, int]) -> None:
    """``changed`` is ``original`` re-encoded the way Kinema publishes videos: same
    picture size and frame rate, H.264 in yuv420p, the sound kept, and the index before
    the media so that it plays from the start while it downloads."""
    import av

    with av.open(str(original)) as src, av.open(str(changed)) as dst:
        v_in, v_out = src.streams.video[0], dst.streams.video[0]
        assert (v_out.codec_context.width, v_out.codec_context.height) == size
        assert v_out.average_rate == v_in.average_rate
        assert v_out.codec_context.name == "h264"
        assert v_out.codec_context.pix_fmt == "yuv420p"
        assert dst.streams.audio, "the sound track is kept"
        assert abs(dst.streams.audio[0].frames - src.streams.audio[0].frames) <= 1
    boxes = top_level_boxes(changed)
    assert boxes.index("moov") < boxes.index("mdat"), "faststart: index before the media"
