"""The LTX-2 engine (a tiny random-weight model on the CPU) behind the real studio
worker: `kinema worker --engine ltx2` loads it once, progress moves through the
denoising band, the draft is an MP4 with sound, and a cancel stops it mid-denoise."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch", reason="the GPU engines need kinema[gpu] (torch)")
pytest.importorskip("diffusers", reason="the GPU engines need kinema[gpu] (diffusers)")

import av
import numpy as np
from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.db import transaction
from kinema.engines import registry
from kinema.queue import prepare_worker
from kinema.runtime import Runtime
from kinema.studio import service
from kinema.studio.models import Generation

pytestmark = pytest.mark.slow


@pytest.fixture
def ltx2_worker_runtime(
    runtime: Runtime,
    tiny_model: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    """A runtime with queued (not immediate) tasks, whose ``ltx2`` engine is the tiny
    model, configured the way an operator does it: through ``KINEMA_*`` variables."""
    monkeypatch.setenv("KINEMA_LTX2_MODEL", str(tiny_model("ltx2")))
    monkeypatch.setenv("KINEMA_GPU_STEPS", "3")
    monkeypatch.setenv("KINEMA_GPU_DEVICE", "cpu")
    registry.get_engine.cache_clear()
    runtime.huey.immediate = False
    runtime.settings.engines = "ltx2"
    try:
        yield runtime
    finally:
        registry.get_engine.cache_clear()


@pytest.fixture
def progress_writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (stage, percent) the worker records on the job row, in order."""
    writes: list[tuple[str, int]] = []
    original = service._ProgressRecorder.write

    def write(self: Any, stage: str | None = None, percent: int | None = None) -> None:
        try:
            original(self, stage, percent)
        finally:
            writes.append((self.stage, self.percent))

    monkeypatch.setattr(service._ProgressRecorder, "write", write)
    return writes


def _ask(runtime: Runtime, user: User) -> str:
    with transaction(runtime.sessions) as session:
        generation = service.request_generation(
            session, runtime, user, prompt="a dog runs on the beach, waves crashing",
            engine="ltx2", seconds=1, size="128x224", seed=5,
        )
        return generation.id


def _status(runtime: Runtime, generation_id: str) -> str:
    with runtime.sessions() as session:
        row = session.get(Generation, generation_id)
        assert row is not None
        return row.status


def _run_until_done(runtime: Runtime, generation_id: str) -> None:
    consumer = prepare_worker(runtime, "ltx2")
    consumer.start()
    try:
        deadline = time.monotonic() + 300
        while _status(runtime, generation_id) in ("queued", "in_progress"):
            assert time.monotonic() < deadline, "the worker never finished the job"
            time.sleep(0.2)
    finally:
        consumer.stop(graceful=True)


def test_ltx2_worker_makes_a_draft_with_sound(
    ltx2_worker_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    progress_writes: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = ltx2_worker_runtime
    monkeypatch.setattr(service, "PROGRESS_WRITE_INTERVAL", 0.0)  # record every step
    user = make_user("alice")
    alice = api_client(user)
    generation_id = _ask(runtime, user)
    _run_until_done(runtime, generation_id)

    body = alice.get(f"/api/generations/{generation_id}").json()
    assert body["status"] == "completed", body["error"]
    assert body["progress"] == 100 and body["engine"] == "ltx2"
    assert registry.get_engine("ltx2").loaded  # type: ignore[attr-defined]
    denoise = [percent for stage, percent in progress_writes if stage == "denoise"]
    low, high = service.STAGE_BANDS["denoise"]
    assert denoise and all(low <= p <= high for p in denoise)
    assert max(denoise) > low, "progress moved through the denoising steps"
    assert denoise == sorted(denoise)
    stages = [stage for stage, _ in progress_writes]
    assert stages.index("denoise") < stages.index("encode")

    drafts = alice.get("/api/me/drafts").json()["items"]
    assert [d["id"] for d in drafts] == [body["video_id"]]
    content = alice.get(f"/api/videos/{body['video_id']}/content")
    assert content.status_code == 200
    container: Any
    with av.open(io.BytesIO(content.content)) as container:
        assert container.streams.audio, "the draft has sound"
        video = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video)]
    assert frames and frames[0].shape == (224, 128, 3)
    with av.open(io.BytesIO(content.content)) as container:
        sound = [f.to_ndarray() for f in container.decode(container.streams.audio[0])]
    assert sum(chunk.shape[-1] for chunk in sound) > 0


def test_cancel_stops_the_ltx2_worker_mid_denoise(
    ltx2_worker_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    progress_writes: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = ltx2_worker_runtime
    monkeypatch.setattr(service, "PROGRESS_WRITE_INTERVAL", 0.0)
    user = make_user("alice")
    alice = api_client(user)
    generation_id = _ask(runtime, user)
    original = service._ProgressRecorder.write

    def cancel_at_first_step(
        self: Any, stage: str | None = None, percent: int | None = None
    ) -> None:
        original(self, stage, percent)
        if self.stage == "denoise" and self.percent > service.STAGE_BANDS["denoise"][0]:
            # The owner presses cancel while the first steps run.
            response = alice.post(f"/api/generations/{generation_id}/cancel")
            assert response.status_code == 200

    monkeypatch.setattr(service._ProgressRecorder, "write", cancel_at_first_step)
    _run_until_done(runtime, generation_id)

    body = alice.get(f"/api/generations/{generation_id}").json()
    assert body["status"] == "failed"
    assert body["error"] == "Cancelled."
    assert body["cancelled"] is True
    assert body["video_id"] is None
    stages = {stage for stage, _ in progress_writes}
    assert "denoise" in stages and not stages & {"sound", "encode"}, "it stopped mid-denoise"
    assert alice.get("/api/me/drafts").json()["items"] == []
    assert not any((runtime.settings.data_dir / "tmp").glob(f"{generation_id}-*"))


def test_worker_command_serves_only_ltx2_generations(
    ltx2_worker_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    """`kinema worker --engine ltx2` in its own process: it makes the LTX-2 video and
    leaves the procedural job on the main queue for the main workers."""
    runtime = ltx2_worker_runtime
    user = make_user("alice")
    alice = api_client(user)
    with transaction(runtime.sessions) as session:
        procedural_id = service.request_generation(
            session, runtime, user, prompt="a red kite over a field", engine="procedural",
            seconds=1, size="160x288",
        ).id
    ltx2_id = _ask(runtime, user)
    settings = runtime.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
    env.update(
        KINEMA_DATA_DIR=str(settings.data_dir),
        KINEMA_DATABASE_URL=settings.database_url,
        KINEMA_QUEUE_URL=settings.queue_url,
        KINEMA_STORAGE_URL=settings.storage_url,
        KINEMA_LTX2_MODEL=os.environ["KINEMA_LTX2_MODEL"],
        KINEMA_GPU_STEPS="2",
        KINEMA_GPU_DEVICE="cpu",
        HF_HUB_OFFLINE="1",
    )
    log_path = settings.data_dir / "ltx2-worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-c", "from kinema.cli import main; main()",
             "worker", "--engine", "ltx2"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 300
        while _status(runtime, ltx2_id) in ("queued", "in_progress"):
            assert worker.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the ltx2 worker never finished"
            time.sleep(0.3)
        time.sleep(1.0)  # a moment in which a wrong worker would take the other job
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    output = log_path.read_text(errors="replace")
    body = alice.get(f"/api/generations/{ltx2_id}").json()
    assert body["status"] == "completed", f"{body['error']}\n{output[-3000:]}"
    assert "Serving ltx2 generations from the 'kinema.ltx2' queue" in output
    with runtime.sessions() as session:
        waiting = session.get(Generation, procedural_id)
        assert waiting is not None
        assert (waiting.status, waiting.attempts, waiting.worker) == ("queued", 0, None)
    assert runtime.huey.pending_count() == 1


def test_extending_an_ltx2_video_continues_its_frames(
    ltx2_worker_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    from kinema.media.probe import probe_video
    from kinema.studio import continuations

    runtime = ltx2_worker_runtime
    user = make_user("alice")
    alice = api_client(user)
    parent_id = _ask(runtime, user)
    assert service.run_generation(runtime, parent_id) is not None
    with transaction(runtime.sessions) as session:
        extension = continuations.request_extension(
            session, runtime, user, parent_id, prompt="the dog jumps into the waves",
            seconds=1,
        )
        extension_id = extension.id
        assert extension.extend_seconds == 1 and extension.seconds == 2
    video_id = service.run_generation(runtime, extension_id)
    body = alice.get(f"/api/generations/{extension_id}").json()
    assert body["status"] == "completed", body["error"]
    assert video_id == body["video_id"]
    content = alice.get(f"/api/videos/{video_id}/content")
    path = runtime.settings.data_dir / "extended.mp4"
    path.write_bytes(content.content)
    facts = probe_video(path)
    # The whole, longer video: the parent's second and the new one, with sound.
    assert facts.seconds is not None and 1.8 <= facts.seconds <= 2.3
    assert facts.has_audio
    assert (facts.width, facts.height) == (128, 224)
    plan = alice.get(f"/api/videos/{video_id}").json()["plan"]
    assert (plan["mode"], plan["extend_seconds"]) == ("extend", 1)
    # It starts with the parent's frames rather than a new take on the whole scene.
    parent_video = alice.get(f"/api/generations/{parent_id}").json()["video_id"]
    parent = alice.get(f"/api/videos/{parent_video}/content").content
    difference = np.abs(
        _first_frame(parent).astype(int) - _first_frame(content.content).astype(int)
    ).mean()
    assert difference < 12


def _first_frame(data: bytes) -> np.ndarray:
    container: Any
    with av.open(io.BytesIO(data)) as container:
        frame = next(container.decode(container.streams.video[0]))
        return np.asarray(frame.to_ndarray(format="rgb24"))
