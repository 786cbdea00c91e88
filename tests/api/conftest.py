"""A live server for tests that need real concurrency: uvicorn serving the test app on a
free 127.0.0.1 port, in a thread of the test process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn
from live import LiveServer

from support import free_port

if TYPE_CHECKING:
    from fastapi import FastAPI


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    """The test app served by uvicorn on 127.0.0.1 until the test ends."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        raise RuntimeError("The live server did not start.")
    try:
        yield LiveServer(url=url)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
