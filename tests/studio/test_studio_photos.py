"""A plan made with a photo is asked to render only with that photo: refused at once,
before the queue, when it is missing or another one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.db import transaction
from kinema.errors import InvalidInput
from kinema.runtime import Runtime
from kinema.studio import service
from kinema.studio.models import Upload


@pytest.fixture
def queued_only(runtime: Runtime) -> Iterator[Runtime]:
    runtime.huey.immediate = False
    yield runtime
    runtime.huey.flush()


def _upload(client: TestClient, data: bytes) -> str:
    response = client.post("/api/uploads", files={"file": ("p.png", data, "image/png")})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_photo_plan_needs_its_own_photo(
    queued_only: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    make_image: Callable[..., bytes],
) -> None:
    alice = make_user("alice")
    client = api_client(alice)
    mine = _upload(client, make_image("PNG", (64, 48)))
    other = _upload(client, make_image("PNG", (80, 48)))
    with transaction(queued_only.sessions) as session:
        upload = session.get(Upload, mine)
        assert upload is not None
        digest = upload.sha256
    plan = {"version": 3, "prompt": "my cat", "image": True, "image_sha256": digest}

    def ask(image_id: str | None) -> str:
        with transaction(queued_only.sessions) as session:
            user = session.get(User, alice.id)
            assert user is not None
            return service.request_generation(
                session,
                queued_only,
                user,
                prompt="my cat",
                seconds=2,
                plan=dict(plan),
                image_id=image_id,
            ).id

    for image_id in (None, other):
        with pytest.raises(InvalidInput, match="made with a picture; give the same picture"):
            ask(image_id)
    assert ask(mine).startswith("gen_")
