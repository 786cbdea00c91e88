"""Webhook targets: the instance refuses URLs that lead into its own network unless it
allows them, both when a URL is registered and again at each delivery (DNS can change
after registration)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import openai
import pytest
from openai import OpenAI

from kinema.db import transaction, utcnow
from kinema.studio import service as studio
from kinema.webhooks import service
from kinema.webhooks.models import PENDING

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime

    from .conftest import WebhookReceiver

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _deliveries(client: TestClient, webhook_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/webhooks/{webhook_id}/deliveries")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://0.0.0.0/hook", "private"),
        ("https://nowhere.invalid/hook", "could not be found"),
    ],
)
def test_registration_refuses_targets_inside_the_network(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient], url: str, says: str
) -> None:
    client = api_client(make_user("alice"))
    response = client.post("/api/webhooks", json={"url": url})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_url"
    assert says in error["message"]
    assert client.get("/api/webhooks").json()["items"] == []


def test_sdk_registration_of_a_private_target_is_a_bad_request(
    sdk: Callable[[User], OpenAI], make_user: Callable[..., User]
) -> None:
    client = sdk(make_user("alice"))
    with pytest.raises(openai.BadRequestError) as caught:
        client.webhooks.create(url="http://10.0.0.7/hook", name="lan",
                               event_types=["video.completed"])
    assert caught.value.param == "url"
    assert "private address" in caught.value.message
    assert list(client.webhooks.list()) == []


def test_an_instance_that_allows_private_targets_registers_them(
    runtime: Runtime, make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    runtime.settings.webhooks_allow_private = True
    client = api_client(make_user("alice"))
    response = client.post("/api/webhooks", json={"url": "http://10.1.2.3/hook"})
    assert response.status_code == 201, response.text
    # A host that does not exist is still refused.
    missing = client.post("/api/webhooks", json={"url": "https://nowhere.invalid/hook"})
    assert missing.status_code == 400
    assert "could not be found" in missing.json()["error"]["message"]


def test_delivery_is_checked_again_and_a_refusal_is_a_recorded_failed_attempt(
    runtime: Runtime, make_user: Callable[..., User],
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice = make_user("alice")
    client = api_client(alice)
    created = client.post("/api/webhooks", json={"url": receiver.url}).json()
    # The instance stops allowing private targets after the URL was registered (as if its
    # host now resolved into the private network).
    runtime.settings.webhooks_allow_private = False

    with transaction(runtime.sessions) as session:
        service.queue_event(runtime, session, user_id=alice.id, event_type="video.completed",
                            data={"id": "gen_1"})

    assert receiver.received == []
    [delivery] = _deliveries(client, created["webhook"]["id"])
    assert delivery["status"] == PENDING  # retried later, like any failed attempt
    assert delivery["next_attempt_at"] is not None
    [attempt] = delivery["attempts"]
    assert attempt["response_status"] is None
    assert "Not sent" in attempt["error"] and "loopback address" in attempt["error"]


def test_delivery_keeps_the_host_name_while_connecting_to_the_checked_address(
    runtime: Runtime, make_user: Callable[..., User],
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice = make_user("alice")
    client = api_client(alice)
    by_name = receiver.url.replace("127.0.0.1", "localhost")
    created = client.post("/api/webhooks", json={"url": by_name}).json()

    with transaction(runtime.sessions) as session:
        service.queue_event(runtime, session, user_id=alice.id, event_type="video.completed",
                            data={"id": "gen_1"})

    [hook] = receiver.received
    port = by_name.split(":")[2].split("/")[0]
    assert hook.headers["host"] == f"localhost:{port}"
    assert hook.path == "/hooks/kinema"
    service.verify_signature(created["secret"], hook.headers, hook.body)


def test_a_job_failed_by_crash_recovery_is_announced(
    runtime: Runtime, make_user: Callable[..., User], sdk: Callable[[User], OpenAI],
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice = make_user("alice")
    created = api_client(alice).post(
        "/api/webhooks", json={"url": receiver.url, "events": ["video.failed"]}
    ).json()
    client = sdk(alice)
    runtime.settings.job_max_attempts = 1
    runtime.huey.immediate = False
    video = client.videos.create(prompt="a dog runs", seconds="1", size="256x144")
    # A worker takes the job and dies; its queue message is gone with it.
    assert studio.claim_generation(runtime, video.id) == 1
    runtime.huey.flush()
    runtime.huey.immediate = True  # deliveries go out at once from here

    later = utcnow() + timedelta(seconds=runtime.settings.job_timeout_seconds + 5)
    report = studio.recover_stalled_generations(runtime, now=later)

    assert report.failed == [video.id]
    assert client.videos.retrieve(video.id).status == "failed"
    [hook] = receiver.received
    event = client.webhooks.unwrap(hook.body, hook.headers, secret=created["secret"])
    assert event.type == "video.failed"
    assert event.data.id == video.id
    # Recovery running again finds nothing to fail, and announces nothing twice.
    assert studio.recover_stalled_generations(runtime, now=later).failed == []
    assert service.announce_generation(runtime, video.id) == []
    assert len(receiver.received) == 1
