"""``video.completed`` and ``video.failed`` reach registered endpoints when a generation
finishes on the queue, signed so that the ``openai`` SDK's ``webhooks.unwrap`` accepts
them."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from openai import OpenAI
from PIL import Image

from kinema.db import transaction
from kinema.webhooks import service

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime

    from .conftest import WebhookReceiver

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.slow
def test_completed_video_is_announced_once_and_verifies(
    sdk: Callable[[User], OpenAI], make_user: Callable[..., User], runtime: Runtime,
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice = make_user("alice")
    created = api_client(alice).post("/api/webhooks", json={"url": receiver.url}).json()
    client = sdk(alice)

    video = client.videos.create_and_poll(prompt="a cat naps in the sun", seconds="1",
                                          size="256x144", poll_interval_ms=10)
    assert video.status == "completed", video.error

    [hook] = receiver.received
    event = client.webhooks.unwrap(hook.body, hook.headers, secret=created["secret"])
    assert event.type == "video.completed"
    assert event.data.id == video.id
    # A second look at the same job (e.g. a redelivered queue message) announces nothing.
    assert service.announce_generation(runtime, video.id) == []
    assert len(receiver.received) == 1


def test_failed_video_is_announced(
    sdk: Callable[[User], OpenAI], make_user: Callable[..., User], runtime: Runtime,
    api_client: Callable[[User], TestClient], receiver: WebhookReceiver,
) -> None:
    alice = make_user("alice")
    created = api_client(alice).post(
        "/api/webhooks", json={"url": receiver.url, "events": ["video.failed"]}
    ).json()
    client = sdk(alice)
    runtime.huey.immediate = False  # keep the job on the queue until we run it
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 200)).save(picture, format="PNG")
    video = client.videos.create(prompt="a fish swims", seconds="1", size="256x144",
                                 input_reference=("sea.png", picture.getvalue(), "image/png"))
    # The stored image is lost before a worker gets to the job, so the render fails.
    media_root = runtime.settings.data_dir / "media"
    [image] = list((media_root / "uploads").iterdir())
    image.unlink()
    task = runtime.huey.dequeue()
    assert task is not None
    runtime.huey.execute(task)
    # Finishing the job queued the webhook delivery; a worker picks that up next.
    delivery = runtime.huey.dequeue()
    assert delivery is not None
    assert receiver.received == []
    runtime.huey.execute(delivery)

    failed = client.videos.retrieve(video.id)
    assert failed.status == "failed"
    assert failed.error is not None and failed.error.message
    [hook] = receiver.received
    event = client.webhooks.unwrap(hook.body, hook.headers, secret=created["secret"])
    assert event.type == "video.failed"
    assert json.loads(hook.body)["data"] == {"id": video.id}


def test_sdk_manages_webhook_endpoints(
    sdk: Callable[[User], OpenAI], make_user: Callable[..., User],
    receiver: WebhookReceiver, runtime: Runtime,
) -> None:
    import openai

    alice, bob = make_user("alice"), make_user("bob")
    client = sdk(alice)

    created = client.webhooks.create(event_types=["video.completed"], name="renders",
                                     url=receiver.url)
    assert created.signing_secret.startswith("whsec_")
    assert created.event_types == ["video.completed"]
    assert "signing_secret" not in client.webhooks.retrieve(created.id).to_dict()
    assert [e.id for e in client.webhooks.list()] == [created.id]
    with pytest.raises(openai.NotFoundError):
        sdk(bob).webhooks.retrieve(created.id)
    with pytest.raises(openai.BadRequestError) as caught:
        client.webhooks.create(event_types=["batch.completed"], name="x", url=receiver.url)
    assert caught.value.param == "event_types"

    # Events reach it, signed with the secret the SDK was given.
    with transaction(runtime.sessions) as session:
        service.queue_event(runtime, session, user_id=alice.id, event_type="video.completed",
                            data={"id": "gen_1"})
    [hook] = receiver.received
    assert client.webhooks.unwrap(hook.body, hook.headers,
                                  secret=created.signing_secret).type == "video.completed"

    deleted = client.webhooks.delete(created.id)
    assert deleted.deleted is True
    assert list(client.webhooks.list()) == []
