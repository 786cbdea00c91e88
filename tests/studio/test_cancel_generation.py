"""Cancelling a generation: a queued one never renders, a running one stops at its next
step and leaves no video and no files behind; only the owner can cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from kinema.accounts.models import User
from kinema.db import transaction, utcnow
from kinema.engines import GenerationRequest, GenerationResult, ProgressCallback
from kinema.engines.procedural.engine import ProceduralEngine
from kinema.queue import start_embedded_workers
from kinema.runtime import Runtime
from kinema.studio import service
from kinema.studio.models import Generation

TINY = {"seconds": 1, "size": "160x288"}


@pytest.fixture
def queued_runtime(runtime: Runtime) -> Iterator[Runtime]:
    runtime.huey.immediate = False
    yield runtime


def _row(runtime: Runtime, generation_id: str) -> Generation:
    with runtime.sessions() as session:
        row = session.get(Generation, generation_id)
        assert row is not None
        return row


def _wait(predicate: Callable[[], Any], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_cancel_a_queued_generation(
    queued_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    runtime = queued_runtime
    alice = api_client(make_user("alice"))
    bob = api_client(make_user("bob"))
    created = alice.post("/api/generations", json={"prompt": "a cat on a roof", **TINY})
    generation_id = created.json()["generation"]["id"]

    # Someone else's job is not theirs to cancel, nor to know about.
    assert bob.post(f"/api/generations/{generation_id}/cancel").status_code == 404
    assert alice.post("/api/generations/gen_nothing/cancel").status_code == 404

    response = alice.post(f"/api/generations/{generation_id}/cancel")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "failed"
    assert body["error"] == "Cancelled."
    assert body["cancelled"] is True
    assert body["video_id"] is None
    assert alice.get(f"/api/generations/{generation_id}").json()["cancelled"] is True

    # Its queued task finds nothing to do when a worker gets to it.
    assert service.run_generation(runtime, generation_id) is None
    row = _row(runtime, generation_id)
    assert (row.status, row.attempts, row.video_id) == ("failed", 0, None)
    assert alice.get("/api/me/drafts").json()["items"] == []

    again = alice.post(f"/api/generations/{generation_id}/cancel")
    assert again.status_code == 409
    assert "nothing to cancel" in again.json()["error"]["message"]


def test_a_finished_generation_is_not_cancelled(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    alice = api_client(make_user("alice"))
    created = alice.post("/api/generations", json={"prompt": "a cat on a roof", **TINY})
    generation_id = created.json()["generation"]["id"]
    assert alice.get(f"/api/generations/{generation_id}").json()["status"] == "completed"
    response = alice.post(f"/api/generations/{generation_id}/cancel")
    assert response.status_code == 409
    body = alice.get(f"/api/generations/{generation_id}").json()
    assert (body["status"], body["cancelled"]) == ("completed", False)


class HeldProceduralEngine:
    """The real procedural engine, held at its first rendering step until the test has
    asked to cancel, so the cancel lands mid-render every time."""

    name = "procedural"

    def __init__(self) -> None:
        self.rendering = threading.Event()
        self.cancel_sent = threading.Event()
        self.stages: list[str] = []

    def generate(
        self, request: GenerationRequest, progress: ProgressCallback | None = None
    ) -> GenerationResult:
        assert progress is not None

        def report(stage: str, fraction: float) -> None:
            self.stages.append(stage)
            if stage == "render" and not self.rendering.is_set():
                self.rendering.set()
                self.cancel_sent.wait(timeout=60)
                time.sleep(service.PROGRESS_WRITE_INTERVAL)  # the next write is due
            progress(stage, fraction)

        return ProceduralEngine().generate(request, report)


def test_cancel_an_in_progress_render(
    queued_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = queued_runtime
    engine = HeldProceduralEngine()
    monkeypatch.setattr(service, "get_engine", lambda name: engine)
    alice = api_client(make_user("alice"))
    stop = start_embedded_workers(runtime)
    try:
        created = alice.post(
            "/api/generations", json={"prompt": "a dragon over the mountains", **TINY}
        )
        generation_id = created.json()["generation"]["id"]
        assert engine.rendering.wait(timeout=120), "the render never started"
        response = alice.post(f"/api/generations/{generation_id}/cancel")
        assert response.status_code == 200
        # Asked for while it runs: marked now, stopped by the worker at its next step.
        assert response.json()["cancelled"] is True
        assert response.json()["status"] in ("in_progress", "failed")
        engine.cancel_sent.set()
        _wait(lambda: _row(runtime, generation_id).status != "in_progress")
    finally:
        engine.cancel_sent.set()
        stop()
    body = alice.get(f"/api/generations/{generation_id}").json()
    assert body["status"] == "failed"
    assert body["error"] == "Cancelled."
    assert body["cancelled"] is True
    assert body["video_id"] is None
    assert "encode" not in engine.stages, "the render stopped before encoding"
    assert alice.get("/api/me/drafts").json()["items"] == []
    # No rendered files or scratch space are left behind.
    scratch = runtime.settings.data_dir / "tmp"
    assert not any(scratch.glob(f"{generation_id}-*"))
    videos = runtime.settings.data_dir / "media" / "videos"
    assert not videos.exists() or not any(videos.iterdir())


def test_a_cancelled_job_whose_worker_died_is_not_run_again(
    queued_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    runtime = queued_runtime
    alice = api_client(make_user("alice"))
    created = alice.post("/api/generations", json={"prompt": "a cat on a roof", **TINY})
    generation_id = created.json()["generation"]["id"]
    runtime.huey.flush()
    # A worker took it, the owner cancelled, and the worker vanished before stopping.
    long_ago = utcnow() - timedelta(hours=2)
    with transaction(runtime.sessions) as session:
        session.execute(
            update(Generation)
            .where(Generation.id == generation_id)
            .values(status="in_progress", attempts=1, worker="gone:1", heartbeat_at=long_ago)
        )
    assert alice.post(f"/api/generations/{generation_id}/cancel").json()["cancelled"] is True
    report = service.recover_stalled_generations(runtime)
    assert report.requeued == [] and report.failed == [generation_id]
    body = alice.get(f"/api/generations/{generation_id}").json()
    assert (body["status"], body["error"], body["cancelled"]) == ("failed", "Cancelled.", True)
    assert runtime.huey.pending_count() == 0
