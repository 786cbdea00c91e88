"""Webhooks: registering endpoints, signed deliveries that the ``openai`` SDK verifies,
retries with backoff through the real queue, and the record of every attempt."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from openai import InvalidWebhookSignatureError, OpenAI

from kinema.db import transaction, utcnow
from kinema.webhooks import service
from kinema.webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime

    from .conftest import WebhookReceiver


def _verifier() -> OpenAI:
    # Only the SDK's offline signature check is used; nothing is sent anywhere.
    return OpenAI(api_key="unused", base_url="http://127.0.0.1:9/v1")


def _register(client: TestClient, url: str, events: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url, "name": "my service"}
    if events is not None:
        body["events"] = events
    response = client.post("/api/webhooks", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _queue(runtime: Runtime, user: User, event_type: str, video_id: str) -> list[str]:
    with transaction(runtime.sessions) as session:
        deliveries = service.queue_event(
            runtime, session, user_id=user.id, event_type=event_type, data={"id": video_id}
        )
        return [d.id for d in deliveries]


def test_signature_round_trip_verifies_with_the_openai_sdk() -> None:
    secret = service.new_signing_secret()
    body = json.dumps({"id": "evt_1", "object": "event", "created_at": int(time.time()),
                       "type": "video.completed", "data": {"id": "gen_1"}})
    headers = service.signature_headers(secret, "msg_1", body)

    event = _verifier().webhooks.unwrap(body, headers, secret=secret)
    assert event.type == "video.completed"
    service.verify_signature(secret, headers, body)

    with pytest.raises(InvalidWebhookSignatureError):
        _verifier().webhooks.unwrap(body.replace("gen_1", "gen_2"), headers, secret=secret)
    with pytest.raises(service.InvalidSignature, match="does not match"):
        service.verify_signature(service.new_signing_secret(), headers, body)
    old = service.signature_headers(secret, "msg_1", body, timestamp=int(time.time()) - 3600)
    with pytest.raises(service.InvalidSignature, match="too far"):
        service.verify_signature(secret, old, body)


def test_registering_shows_the_secret_once_and_only_to_the_owner(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient],
    receiver: WebhookReceiver,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    as_alice, as_bob = api_client(alice), api_client(bob)

    created = _register(as_alice, receiver.url)
    assert created["secret"].startswith("whsec_")
    webhook = created["webhook"]
    assert webhook["events"] == ["video.completed", "video.failed"]

    listed = as_alice.get("/api/webhooks").json()["items"]
    assert [w["id"] for w in listed] == [webhook["id"]]
    assert "secret" not in json.dumps(listed)
    assert as_bob.get("/api/webhooks").json()["items"] == []
    assert as_bob.get(f"/api/webhooks/{webhook['id']}").status_code == 404
    assert as_bob.delete(f"/api/webhooks/{webhook['id']}").status_code == 404

    assert as_alice.delete(f"/api/webhooks/{webhook['id']}").status_code == 204
    assert as_alice.get("/api/webhooks").json()["items"] == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://example.com/hook"}, "invalid_url"),
        ({"url": "not a url"}, "invalid_url"),
        ({"url": "https://example.com/hook", "events": ["video.exploded"]}, "invalid_event"),
    ],
)
def test_bad_registrations_are_refused_plainly(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient],
    body: dict[str, Any], code: str,
) -> None:
    client = api_client(make_user("alice"))
    response = client.post("/api/webhooks", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert client.get("/api/webhooks").json()["items"] == []


def test_event_is_delivered_signed_and_recorded(
    runtime: Runtime, make_user: Callable[..., User],
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice = make_user("alice")
    client = api_client(alice)
    created = _register(client, receiver.url)

    _queue(runtime, alice, "video.completed", "gen_123")

    assert len(receiver.received) == 1
    hook = receiver.received[0]
    assert hook.path == "/hooks/kinema"
    assert hook.headers["content-type"] == "application/json"
    event = _verifier().webhooks.unwrap(hook.body, hook.headers, secret=created["secret"])
    assert event.type == "video.completed"
    assert event.data.id == "gen_123"

    deliveries = client.get(f"/api/webhooks/{created['webhook']['id']}/deliveries").json()
    [delivery] = deliveries["items"]
    assert delivery["id"] == hook.headers["webhook-id"]
    assert delivery["status"] == DELIVERED
    assert [a["response_status"] for a in delivery["attempts"]] == [200]


def test_endpoint_only_gets_the_events_it_asked_for(
    runtime: Runtime, make_user: Callable[..., User],
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    _register(api_client(alice), receiver.url, events=["video.failed"])

    assert _queue(runtime, alice, "video.completed", "gen_1") == []
    assert _queue(runtime, bob, "video.failed", "gen_2") == []  # not bob's endpoint
    _queue(runtime, alice, "video.failed", "gen_3")

    assert [json.loads(h.body)["data"]["id"] for h in receiver.received] == ["gen_3"]


def test_failed_delivery_is_retried_with_backoff_through_the_queue(
    runtime: Runtime, make_user: Callable[..., User],
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice = make_user("alice")
    client = api_client(alice)
    created = _register(client, receiver.url)
    receiver.statuses = [500, 200]

    before = utcnow()
    [delivery_id] = _queue(runtime, alice, "video.completed", "gen_9")

    # The first attempt failed: it is recorded and a retry waits on the queue's schedule.
    with runtime.sessions() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        assert (delivery.status, delivery.attempt_count) == (PENDING, 1)
        assert delivery.next_attempt_at is not None
        wait = delivery.next_attempt_at - before
        assert timedelta(seconds=service.RETRY_DELAYS[0]) <= wait < timedelta(seconds=60)
    [retry] = runtime.huey.scheduled()
    assert retry.args == (delivery_id,)

    # When the retry comes due, the queue's scheduler hands it over and it runs; the
    # receiver now accepts it.
    assert retry.eta is not None
    for task in runtime.huey.read_schedule(retry.eta):
        runtime.huey.execute(task, timestamp=retry.eta)

    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery_id
    for hook in receiver.received:
        _verifier().webhooks.verify_signature(hook.body, hook.headers, secret=created["secret"])
    [record] = client.get(f"/api/webhooks/{created['webhook']['id']}/deliveries").json()["items"]
    assert record["status"] == DELIVERED
    assert [a["response_status"] for a in record["attempts"]] == [500, 200]
    assert "HTTP 500" in record["attempts"][0]["error"]
    assert runtime.huey.scheduled() == []


def test_delivery_gives_up_after_the_last_attempt(
    runtime: Runtime, make_user: Callable[..., User], receiver: WebhookReceiver,
    api_client: Callable[[User], TestClient],
) -> None:
    alice = make_user("alice")
    _register(api_client(alice), receiver.url)
    receiver.statuses = [503]
    [delivery_id] = _queue(runtime, alice, "video.failed", "gen_1")

    for _ in range(service.MAX_ATTEMPTS - 1):
        with transaction(runtime.sessions) as session:
            service.attempt_delivery(
                session, delivery_id, allow_private=True, data_dir=runtime.settings.data_dir
            )

    with runtime.sessions() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        assert (delivery.status, delivery.attempt_count) == (FAILED, service.MAX_ATTEMPTS)
        assert delivery.next_attempt_at is None
    assert len(receiver.received) == service.MAX_ATTEMPTS


def test_unreachable_endpoint_is_recorded_not_raised(
    runtime: Runtime, make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runtime.settings.webhooks_allow_private = True
    alice = make_user("alice")
    client = api_client(alice)
    created = _register(client, f"http://127.0.0.1:{port}/hook")

    _queue(runtime, alice, "video.completed", "gen_1")

    [record] = client.get(f"/api/webhooks/{created['webhook']['id']}/deliveries").json()["items"]
    assert record["status"] == PENDING
    [attempt] = record["attempts"]
    assert attempt["response_status"] is None
    assert "Could not reach" in attempt["error"]


def test_overdue_delivery_lost_by_the_queue_is_sent_by_the_sweep(
    runtime: Runtime, make_user: Callable[..., User],
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice = make_user("alice")
    _register(api_client(alice), receiver.url)
    receiver.statuses = [500, 200]
    [delivery_id] = _queue(runtime, alice, "video.completed", "gen_5")
    runtime.huey.flush()  # the queue loses the scheduled retry
    assert service.send_overdue_deliveries(runtime) == 0  # not overdue yet

    with transaction(runtime.sessions) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        delivery.next_attempt_at = utcnow() - timedelta(hours=1)

    assert service.send_overdue_deliveries(runtime) == 1
    with runtime.sessions() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None and delivery.status == DELIVERED
    assert len(receiver.received) == 2
