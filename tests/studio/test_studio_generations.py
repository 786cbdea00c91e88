"""Generation requests, their checks and the daily quota, and crash recovery of jobs.

These tests do not render: the queue is not consumed, so jobs stay queued unless a test
moves them on itself."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.db import transaction, utcnow
from kinema.runtime import Runtime
from kinema.studio import service
from kinema.studio.models import Generation


@pytest.fixture
def queued_only(runtime: Runtime) -> Iterator[Runtime]:
    """Jobs go into the real queue, but nothing consumes it during the test."""
    runtime.huey.immediate = False
    yield runtime
    runtime.huey.flush()


def generation_row(runtime: Runtime, generation_id: str) -> Generation:
    with transaction(runtime.sessions) as session:
        row = session.get(Generation, generation_id)
        assert row is not None
        return row


def count_generations(runtime: Runtime) -> int:
    with transaction(runtime.sessions) as session:
        return session.query(Generation).count()


def test_request_is_queued_with_defaults(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    client = api_client(make_user("alice"))
    response = client.post("/api/generations", json={"prompt": "a cat surfing at sunset"})
    assert response.status_code == 202, response.text
    generation = response.json()["generation"]
    assert generation["id"].startswith("gen_")
    assert generation["status"] == "queued"
    assert generation["progress"] == 0
    assert generation["seconds"] == 8
    assert generation["size"] == "720x1280"
    assert generation["video_id"] is None and generation["error"] is None
    again = client.get(f"/api/generations/{generation['id']}")
    assert again.status_code == 200
    assert again.json()["status"] == "queued"
    assert len(queued_only.huey) == 1  # the job went to the queue


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"prompt": "   "}, "prompt is empty"),
        ({"prompt": "x" * 2001}, "limit is 2000"),
        ({"prompt": "a dog", "seconds": 0}, "between 1 and 20"),
        ({"prompt": "a dog", "seconds": 21}, "between 1 and 20"),
        ({"prompt": "a dog", "size": "161x288"}, "even numbers"),
        ({"prompt": "a dog", "size": "4000x288"}, "even numbers"),
        ({"prompt": "a dog", "size": "big"}, "WIDTHxHEIGHT"),
        ({"prompt": "a dog", "seed": -5}, "seed"),
        ({"prompt": "asdfgh qwerty"}, "Nothing in this prompt could be drawn"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    body: dict[str, object],
    needle: str,
) -> None:
    client = api_client(make_user("alice"))
    response = client.post("/api/generations", json=body)
    assert response.status_code == 400, response.text
    assert needle in response.json()["error"]["message"]
    assert count_generations(queued_only) == 0
    assert len(queued_only.huey) == 0


def test_wrong_types_are_validation_errors(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    client = api_client(make_user("alice"))
    response = client.post("/api/generations", json={"prompt": "a dog", "seconds": "long"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


def test_someone_elses_image_or_unknown_video_is_not_found(
    make_image: Callable[..., bytes],
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    bob = api_client(make_user("bob"))
    upload = bob.post("/api/uploads", files={"file": ("b.png", make_image("PNG"), "image/png")})
    assert upload.status_code == 201
    alice = api_client(make_user("alice"))
    response = alice.post(
        "/api/generations", json={"prompt": "a dog", "image_id": upload.json()["id"]}
    )
    assert response.status_code == 404
    response = alice.post("/api/generations", json={"prompt": "a dog", "remix_of": "vid_nope"})
    assert response.status_code == 404
    # Bob may use his own image.
    response = bob.post(
        "/api/generations", json={"prompt": "a dog", "image_id": upload.json()["id"]}
    )
    assert response.status_code == 202
    assert count_generations(queued_only) == 1


def test_others_cannot_see_my_generation(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    client: TestClient,
) -> None:
    alice = api_client(make_user("alice"))
    generation_id = alice.post("/api/generations", json={"prompt": "a dog"}).json()["generation"][
        "id"
    ]
    bob = api_client(make_user("bob"))
    assert bob.get(f"/api/generations/{generation_id}").status_code == 404
    assert bob.get(f"/api/generations/{generation_id}/events").status_code == 404
    assert client.get(f"/api/generations/{generation_id}").status_code == 401


def test_over_the_daily_quota_is_429(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    queued_only.settings.daily_generations = 2
    alice = api_client(make_user("alice"))
    for _ in range(2):
        assert alice.post("/api/generations", json={"prompt": "a dog"}).status_code == 202
    response = alice.post("/api/generations", json={"prompt": "a dog"})
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert "daily limit" in error["message"] and "2" in error["message"]
    assert response.headers.get("Retry-After")
    assert count_generations(queued_only) == 2
    # Another person's quota is their own.
    bob = api_client(make_user("bob"))
    assert bob.post("/api/generations", json={"prompt": "a dog"}).status_code == 202


def test_stalled_job_is_requeued_then_fails_after_max_attempts(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    runtime = queued_only
    runtime.settings.job_max_attempts = 2
    alice = api_client(make_user("alice"))
    generation_id = alice.post("/api/generations", json={"prompt": "a dog"}).json()["generation"][
        "id"
    ]

    # A worker takes the job, then goes silent.
    assert service.claim_generation(runtime, generation_id) == 1
    # Nothing happens while its heartbeat is fresh...
    assert service.recover_stalled_generations(runtime).requeued == []
    # ...but once it is older than the timeout the job is queued again.
    later = utcnow() + timedelta(seconds=runtime.settings.job_timeout_seconds + 5)
    report = service.recover_stalled_generations(runtime, now=later)
    assert report.requeued == [generation_id]
    assert alice.get(f"/api/generations/{generation_id}").json()["status"] == "queued"
    # A second delivery of the same job cannot claim it twice.
    assert service.claim_generation(runtime, generation_id) == 2
    assert service.claim_generation(runtime, generation_id) is None

    report = service.recover_stalled_generations(runtime, now=later + timedelta(hours=1))
    assert report.failed == [generation_id]
    body = alice.get(f"/api/generations/{generation_id}").json()
    assert body["status"] == "failed"
    assert "tried 2 times" in body["error"]
    assert generation_row(runtime, generation_id).attempts == 2


def test_job_of_a_dead_worker_is_requeued_at_once(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    import socket

    alice = api_client(make_user("alice"))
    generation_id = alice.post("/api/generations", json={"prompt": "a dog"}).json()["generation"][
        "id"
    ]
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert (
        service.claim_generation(
            queued_only, generation_id, worker=f"{socket.gethostname()}:{gone.pid}"
        )
        == 1
    )
    report = service.recover_stalled_generations(queued_only)
    assert report.requeued == [generation_id]
    assert generation_row(queued_only, generation_id).status == "queued"
