"""The whole studio loop with the real engine at a tiny size: request -> render ->
draft -> play -> publish; live progress over SSE; a worker killed mid-render."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import av
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from kinema.accounts.models import User
from kinema.db import transaction
from kinema.queue import start_embedded_workers
from kinema.runtime import Runtime
from kinema.studio.models import Generation

TINY = {"seconds": 1, "size": "160x288"}


def decode(data: bytes) -> tuple[int, int, int, bool]:
    """(width, height, decoded frames, has audio) of an MP4 held in memory."""
    with av.open(io.BytesIO(data)) as container:
        has_audio = bool(container.streams.audio)
        stream = container.streams.video[0]
        frames = 0
        width = height = 0
        for frame in container.decode(stream):
            frames += 1
            width, height = frame.width, frame.height
    return width, height, frames, has_audio


def wait_for(predicate: Callable[[], Any], timeout: float, step: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


@pytest.mark.slow
def test_generate_play_publish_delete(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
    runtime: Runtime,
) -> None:
    alice_user = make_user("alice")
    alice, bob = api_client(alice_user), api_client(make_user("bob"))

    response = alice.post("/api/generations", json={"prompt": "a cat surfing", **TINY})
    assert response.status_code == 202, response.text
    generation_id = response.json()["generation"]["id"]

    # Huey runs in immediate mode here, so the job is done when the request returns.
    generation = alice.get(f"/api/generations/{generation_id}").json()
    assert generation["status"] == "completed", generation
    assert generation["progress"] == 100
    assert generation["error"] is None
    video_id = generation["video_id"]
    assert video_id

    drafts = alice.get("/api/me/drafts").json()["items"]
    assert [d["id"] for d in drafts] == [video_id]
    video = alice.get(f"/api/videos/{video_id}").json()
    assert video["status"] == "draft"
    assert video["author"] == {"id": alice_user.id, "handle": "alice", "display_name": None}
    assert video["size"] == "160x288"
    assert video["prompt"] == "a cat surfing"
    assert video["plan"]["shots"], "the scene description is kept with the video"
    assert video["characters"] == []
    assert video["content_url"] == f"/api/videos/{video_id}/content"

    # The content is a real MP4 with sound, served with HTTP Range.
    content = alice.get(video["content_url"])
    assert content.status_code == 200
    assert content.headers["content-type"] == "video/mp4"
    assert content.headers["accept-ranges"] == "bytes"
    full = content.content
    width, height, frames, has_audio = decode(full)
    assert (width, height) == (160, 288)
    assert frames >= 20
    assert has_audio

    part = alice.get(video["content_url"], headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{len(full)}"
    assert part.content == full[100:1100]
    tail = alice.get(video["content_url"], headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == full[-50:]
    beyond = alice.get(video["content_url"], headers={"Range": f"bytes={len(full)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(full)}"

    thumb = alice.get(video["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as poster:
        assert poster.size == (160, 288)

    # A draft is invisible to everyone else.
    for other in (bob, client):
        assert other.get(f"/api/videos/{video_id}").status_code == 404
        assert other.get(video["content_url"]).status_code == 404
    assert bob.post(f"/api/videos/{video_id}/publish", json={}).status_code == 404
    remix_of_draft = bob.post(
        "/api/generations", json={"prompt": "now at night", "remix_of": video_id, **TINY}
    )
    assert remix_of_draft.status_code == 404
    assert bob.get("/api/me/drafts").json()["items"] == []

    # Published, it is visible to all, with its caption.
    published = alice.post(f"/api/videos/{video_id}/publish", json={"caption": "surf's up"})
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["caption"] == "surf's up"
    assert alice.get("/api/me/drafts").json()["items"] == []
    seen = client.get(f"/api/videos/{video_id}")
    assert seen.status_code == 200 and seen.json()["caption"] == "surf's up"
    assert client.get(video["content_url"]).content == full

    # Once published, others can remix it: the remix starts from its scene description.
    remix = bob.post(
        "/api/generations", json={"prompt": "now at night", "remix_of": video_id, **TINY}
    )
    assert remix.status_code == 202, remix.text
    remix_job = bob.get(f"/api/generations/{remix.json()['generation']['id']}").json()
    assert remix_job["status"] == "completed", remix_job
    remix_video = bob.get(f"/api/videos/{remix_job['video_id']}").json()
    assert remix_video["remix_of"] == video_id
    assert remix_video["status"] == "draft"

    # Only the author may delete it; then it is gone for everyone, files included.
    assert bob.delete(f"/api/videos/{video_id}").status_code == 403
    assert alice.delete(f"/api/videos/{video_id}").status_code == 200
    assert client.get(f"/api/videos/{video_id}").status_code == 404
    assert alice.get(video["content_url"]).status_code == 404
    assert not runtime.storage.exists(f"videos/{video_id}.mp4")


@pytest.fixture
def threaded_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """The real queue consumed by embedded worker threads, as in ``kinema serve``."""
    runtime.huey.immediate = False
    stop = start_embedded_workers(runtime)
    try:
        yield runtime
    finally:
        stop()


@pytest.mark.slow
def test_progress_streams_as_server_sent_events(
    threaded_runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    alice = api_client(make_user("alice"))
    response = alice.post(
        "/api/generations",
        json={"prompt": "a dog running in a park", "seconds": 2, "size": "160x288"},
    )
    assert response.status_code == 202
    generation_id = response.json()["generation"]["id"]

    events: list[tuple[str, dict[str, Any]]] = []
    with alice.stream("GET", f"/api/generations/{generation_id}/events") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-cache"
        assert stream.headers["x-accel-buffering"] == "no"
        name = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[len("data: ") :])))
    # The stream ended by itself, with the outcome last.
    assert events, "no events"
    final_name, final = events[-1]
    assert final_name == "completed", events
    assert final["progress"] == 100 and final["video_id"]
    progress = [data["progress"] for name, data in events if name == "progress"]
    assert progress, "no progress events before the end"
    assert progress == sorted(progress), "progress never goes backwards"
    assert alice.get(f"/api/videos/{final['video_id']}").status_code == 200


def _worker_env(runtime: Runtime) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
    env.update(
        KINEMA_DATA_DIR=str(runtime.settings.data_dir),
        KINEMA_DATABASE_URL=runtime.settings.database_url,
        KINEMA_QUEUE_URL=runtime.settings.queue_url,
        KINEMA_STORAGE_URL=runtime.settings.storage_url,
    )
    return env


def _start_worker(runtime: Runtime, name: str) -> subprocess.Popen[bytes]:
    log = open(runtime.settings.data_dir / f"{name}.log", "wb")  # noqa: SIM115
    with log:
        return subprocess.Popen(
            [sys.executable, "-c", "from kinema.cli import main; main()", "worker"],
            env=_worker_env(runtime),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _row(runtime: Runtime, generation_id: str) -> Generation:
    with transaction(runtime.sessions) as session:
        row = session.get(Generation, generation_id)
        assert row is not None
        return row


@pytest.mark.slow
def test_worker_killed_mid_render_is_recovered(
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    runtime.huey.immediate = False  # a separate `kinema worker` process consumes the queue
    alice = api_client(make_user("alice"))
    response = alice.post(
        "/api/generations",
        json={"prompt": "a dragon flying over the mountains", "seconds": 6, "size": "256x456"},
    )
    generation_id = response.json()["generation"]["id"]

    first = _start_worker(runtime, "first-worker")
    try:
        wait_for(
            lambda: (
                _row(runtime, generation_id).status == "in_progress"
                and _row(runtime, generation_id).progress >= 6
            ),
            timeout=120,
            step=0.1,
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    stuck = _row(runtime, generation_id)
    assert stuck.status == "in_progress", "the job was killed mid-way"
    assert stuck.attempts == 1

    # A new worker notices at start-up that the old one died, and finishes the job.
    second = _start_worker(runtime, "second-worker")
    try:
        done = wait_for(
            lambda: (
                _row(runtime, generation_id).status in ("completed", "failed")
                and _row(runtime, generation_id)
            ),
            timeout=240,
        )
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
    log = (runtime.settings.data_dir / "second-worker.log").read_text(errors="replace")
    assert done.status == "completed", f"{done.error}\n{log[-3000:]}"
    assert done.attempts == 2
    body = alice.get(f"/api/generations/{generation_id}").json()
    assert body["status"] == "completed" and body["progress"] == 100
    content = alice.get(f"/api/videos/{body['video_id']}/content")
    assert content.status_code == 200
    width, height, frames, _ = decode(content.content)
    assert (width, height) == (256, 456) and frames > 100


@pytest.mark.slow
def test_an_edited_plan_is_rendered_as_given(
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    from kinema.studio import service

    user = make_user("alice")
    alice = api_client(user)
    first = alice.post("/api/generations", json={"prompt": "a fox in a forest", **TINY})
    video_id = alice.get(f"/api/generations/{first.json()['generation']['id']}").json()["video_id"]
    plan = alice.get(f"/api/videos/{video_id}").json()["plan"]
    plan["shots"][0]["time_of_day"] = "night"
    plan["shots"][0]["weather"] = "snow"
    with transaction(runtime.sessions) as session:
        generation = service.request_generation(
            session,
            runtime,
            user,
            prompt="the same, at night in the snow",
            plan=plan,
            remix_of=video_id,
            **TINY,
        )
        generation_id = generation.id
    job = alice.get(f"/api/generations/{generation_id}").json()
    assert job["status"] == "completed", job
    edited = alice.get(f"/api/videos/{job['video_id']}").json()
    assert edited["plan"]["shots"][0]["time_of_day"] == "night"
    assert edited["plan"]["shots"][0]["weather"] == "snow"
    assert edited["remix_of"] == video_id


def test_engine_refusal_fails_the_job_with_its_message(
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    from kinema.studio import service

    user = make_user("alice")
    alice = api_client(user)
    with transaction(runtime.sessions) as session:
        generation = service.request_generation(
            session, runtime, user, prompt="anything", plan={"version": 99, "shots": []}, **TINY
        )
        generation_id = generation.id
    job = alice.get(f"/api/generations/{generation_id}").json()
    assert job["status"] == "failed"
    assert "version 99" in job["error"]
    assert job["video_id"] is None
    assert alice.get("/api/me/drafts").json()["items"] == []
