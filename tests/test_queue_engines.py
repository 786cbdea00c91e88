"""Engine queues: a generation travels on its engine's own queue, `kinema worker
--engine X` serves only X's generations, recovery puts a job back on the right queue, and
a GPU running out of memory re-queues the job and then fails it with advice, never
losing it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from kinema.accounts.models import User
from kinema.db import transaction, utcnow
from kinema.engines import GenerationRequest, GenerationResult, ProgressCallback
from kinema.engines.diffusers.errors import OutOfMemory
from kinema.engines.procedural.engine import ProceduralEngine
from kinema.errors import InvalidInput
from kinema.queue import QueueError, generation_queue, prepare_worker
from kinema.runtime import Runtime
from kinema.settings import Settings
from kinema.studio import service
from kinema.studio.models import Generation

ADVICE = (
    "The GPU ran out of memory making this LTX-2 video. Use a smaller preset "
    "(KINEMA_GPU_PRESET=24gb), or turn on offloading (KINEMA_GPU_OFFLOAD=group or "
    "sequential); shorter or smaller clips also fit."
)


class StandInGpuEngine:
    """Takes the ``ltx2`` name in these tests: reports GPU stages and either renders
    with the procedural engine or runs out of memory."""

    name = "ltx2"

    def __init__(self, out_of_memory: bool = False) -> None:
        self.out_of_memory = out_of_memory
        self.calls = 0
        self.loaded = False

    def load(self) -> None:
        self.loaded = True

    def generate(
        self,
        request: GenerationRequest,
        progress: ProgressCallback | None = None,
        *,
        should_cancel: Callable[[], bool] | None = None,
    ) -> GenerationResult:
        self.calls += 1
        report = progress or (lambda stage, fraction: None)
        report("load", 1.0)
        report("denoise", 0.5)
        if self.out_of_memory:
            raise OutOfMemory(ADVICE)
        return ProceduralEngine().generate(request, report)


@pytest.fixture
def gpu_engine(monkeypatch: pytest.MonkeyPatch) -> Callable[..., StandInGpuEngine]:
    """``gpu_engine(out_of_memory=True)``: the stand-in becomes the ``ltx2`` engine."""
    from kinema.engines import registry

    real = registry.get_engine

    def install(out_of_memory: bool = False) -> StandInGpuEngine:
        engine = StandInGpuEngine(out_of_memory)

        def get_engine(name: str) -> Any:
            return engine if name == "ltx2" else real(name)

        monkeypatch.setattr(registry, "get_engine", get_engine)
        monkeypatch.setattr(service, "get_engine", get_engine)
        return engine

    return install


@pytest.fixture(autouse=True)
def ltx2_is_served(runtime: Runtime) -> None:
    """This instance takes ``ltx2`` generations (``KINEMA_ENGINES=ltx2``)."""
    runtime.settings.engines = "ltx2"


@pytest.fixture
def queued_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """The runtime with its queues holding tasks instead of running them at once."""
    runtime.huey.immediate = False
    yield runtime


def _ask(client: TestClient, runtime: Runtime, user: User, engine: str) -> str:
    with transaction(runtime.sessions) as session:
        generation = service.request_generation(
            session, runtime, user, prompt="a red fox in the snow", engine=engine,
            seconds=1, size="160x288",
        )
        return generation.id


def _row(runtime: Runtime, generation_id: str) -> Generation:
    with runtime.sessions() as session:
        row = session.get(Generation, generation_id)
        assert row is not None
        return row


def _wait(predicate: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_each_engine_has_its_own_queue(
    queued_runtime: Runtime, make_user: Callable[..., User], client: TestClient
) -> None:
    runtime = queued_runtime
    alice = make_user("alice")
    _ask(client, runtime, alice, "procedural")
    _ask(client, runtime, alice, "ltx2")
    ltx2_queue = generation_queue(runtime, "ltx2")
    assert ltx2_queue is not runtime.huey
    assert ltx2_queue.name == "kinema.ltx2"
    assert generation_queue(runtime, "procedural") is runtime.huey
    assert runtime.huey.pending_count() == 1
    assert ltx2_queue.pending_count() == 1


def test_an_engine_worker_serves_only_its_engine(
    queued_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    gpu_engine: Callable[..., StandInGpuEngine],
) -> None:
    runtime = queued_runtime
    engine = gpu_engine()
    user = make_user("alice")
    alice = api_client(user)
    procedural_id = _ask(alice, runtime, user, "procedural")
    ltx2_id = _ask(alice, runtime, user, "ltx2")

    consumer = prepare_worker(runtime, "ltx2")
    assert engine.loaded, "the engine worker loads its model before taking jobs"
    consumer.start()
    try:
        done = _wait(lambda: _row(runtime, ltx2_id).status in ("completed", "failed"))
        assert done
    finally:
        consumer.stop(graceful=True)
    finished = alice.get(f"/api/generations/{ltx2_id}").json()
    assert finished["status"] == "completed", finished["error"]
    assert finished["engine"] == "ltx2"
    assert alice.get(f"/api/videos/{finished['video_id']}/content").status_code == 200
    # The procedural job is untouched and still waits on the main queue.
    waiting = _row(runtime, procedural_id)
    assert (waiting.status, waiting.attempts) == ("queued", 0)
    assert runtime.huey.pending_count() == 1
    assert engine.calls == 1


def test_unknown_engine_worker_is_refused(queued_runtime: Runtime) -> None:
    with pytest.raises(QueueError, match="Unknown engine 'nope'"):
        prepare_worker(queued_runtime, "nope")


def test_worker_command_with_unknown_engine_says_so(settings: Settings) -> None:
    from kinema.cli import app

    result = CliRunner().invoke(
        app, ["worker", "--engine", "nope", "--data-dir", str(settings.data_dir)]
    )
    assert result.exit_code == 1
    assert "Unknown engine 'nope'" in result.output
    assert "Traceback" not in result.output


def test_recovery_requeues_onto_the_engines_queue(
    queued_runtime: Runtime, make_user: Callable[..., User], client: TestClient
) -> None:
    runtime = queued_runtime
    generation_id = _ask(client, runtime, make_user("alice"), "ltx2")
    ltx2_queue = generation_queue(runtime, "ltx2")
    ltx2_queue.flush()  # the queue lost it while a worker had it
    long_ago = utcnow() - timedelta(hours=2)
    with transaction(runtime.sessions) as session:
        session.execute(
            update(Generation)
            .where(Generation.id == generation_id)
            .values(status="in_progress", attempts=1, worker="gone:1", heartbeat_at=long_ago)
        )
    report = service.recover_stalled_generations(runtime)
    assert report.requeued == [generation_id]
    assert _row(runtime, generation_id).status == "queued"
    assert ltx2_queue.pending_count() == 1
    assert runtime.huey.pending_count() == 0


def test_out_of_memory_requeues_then_fails_with_advice(
    queued_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    gpu_engine: Callable[..., StandInGpuEngine],
) -> None:
    runtime = queued_runtime
    engine = gpu_engine(out_of_memory=True)
    user = make_user("alice")
    alice = api_client(user)
    generation_id = _ask(alice, runtime, user, "ltx2")
    ltx2_queue = generation_queue(runtime, "ltx2")
    attempts = runtime.settings.job_max_attempts
    assert attempts >= 2
    for attempt in range(1, attempts):
        assert service.run_generation(runtime, generation_id) is None
        body = alice.get(f"/api/generations/{generation_id}").json()
        # Back in the queue for another try, not lost and not failed yet.
        assert body["status"] == "queued", body
        assert _row(runtime, generation_id).attempts == attempt
        assert ltx2_queue.pending_count() == 1 + attempt  # the first delivery + re-queues
    assert service.run_generation(runtime, generation_id) is None
    body = alice.get(f"/api/generations/{generation_id}").json()
    assert body["status"] == "failed"
    assert body["error"] == ADVICE
    assert body["cancelled"] is False
    assert body["video_id"] is None
    assert engine.calls == attempts
    assert alice.get("/api/me/drafts").json()["items"] == []


def test_out_of_memory_through_the_queue_in_one_process(
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    gpu_engine: Callable[..., StandInGpuEngine],
) -> None:
    # Immediate mode (tasks run at once): the re-queued job runs again on the engine's
    # queue until its attempts are used up, then fails with the advice.
    engine = gpu_engine(out_of_memory=True)
    user = make_user("alice")
    alice = api_client(user)
    generation_id = _ask(alice, runtime, user, "ltx2")
    body = alice.get(f"/api/generations/{generation_id}").json()
    assert (body["status"], body["error"]) == ("failed", ADVICE)
    assert engine.calls == runtime.settings.job_max_attempts
    assert _row(runtime, generation_id).attempts == runtime.settings.job_max_attempts


def test_an_engine_the_instance_does_not_serve_is_refused_at_once(
    runtime: Runtime, make_user: Callable[..., User]
) -> None:
    """Without a worker for it, a job would wait for ever: it is refused instead."""
    runtime.settings.engines = ""
    user = make_user("vera")
    with (
        runtime.sessions() as session,
        pytest.raises(InvalidInput, match="not available on this instance"),
    ):
        service.request_generation(
            session, runtime, session.merge(user), prompt="a cat", engine="ltx2"
        )
