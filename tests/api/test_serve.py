"""`kinema serve` on a fresh data directory: creates the admin, says how to sign in, and
serves the app with embedded workers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from kinema.settings import Settings
from support import free_port, stop_process

INVITE = re.compile(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}")


@pytest.mark.slow
def test_first_run_creates_admin_and_prints_how_to_sign_in(settings: Settings) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
    env.update(
        PYTHONUNBUFFERED="1",
        KINEMA_DATABASE_URL=settings.database_url,
        KINEMA_QUEUE_URL=settings.queue_url,
    )
    command = [
        str(Path(sys.executable).parent / "kinema"),
        "serve", "--port", str(port), "--data-dir", str(settings.data_dir),
    ]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(server.stdout.readline, "")),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    try:
        deadline = time.monotonic() + 120
        ready = False
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
            except httpx.TransportError:
                ready = False
            if ready:
                break
            time.sleep(0.3)
        assert ready, "".join(lines)

        output = "".join(lines)
        assert f"http://127.0.0.1:{port}/login" in output
        password = next(line.split()[-1] for line in lines if line.strip().startswith("password"))
        codes = [line.strip() for line in lines if INVITE.fullmatch(line.strip())]
        assert len(codes) == 5

        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
            response = browser.post(
                "/api/auth/login", json={"login": "admin", "password": password}
            )
            assert response.status_code == 200, response.text
            assert response.json()["user"]["is_admin"] is True
    finally:
        stop_process(server)
