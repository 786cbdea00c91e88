"""Browser tests: a real ``kinema serve`` on a free local port with its own data
directory, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import free_port, stop_process

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STARTUP_SECONDS = 90


@dataclass
class Server:
    """A running Kinema instance."""

    url: str
    data_dir: Path
    log: Path

    def kinema(self, *args: str) -> str:
        """Run a ``kinema`` command against this instance's data and return its output."""
        done = subprocess.run(
            [_kinema_command(), *args, "--data-dir", str(self.data_dir)],
            env=_clean_env(self.url),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def _kinema_command() -> str:
    beside_python = Path(sys.executable).with_name("kinema")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("kinema")
    if found is None:
        pytest.skip("the `kinema` command is not installed (pip install -e .)")
    return found


def _clean_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
    env["KINEMA_BASE_URL"] = url
    return env


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kinema serve exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"kinema serve did not start in time:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``kinema serve`` with embedded workers on SQLite, as a fresh install runs it."""
    root = tmp_path_factory.mktemp("kinema-e2e")
    data_dir = root / "data"
    log = root / "serve.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_kinema_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--data-dir", str(data_dir)],
            env=_clean_env(url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, process, log)
        yield Server(url=url, data_dir=data_dir, log=log)
    finally:
        stop_process(process, signal.SIGTERM)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, through Playwright."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
