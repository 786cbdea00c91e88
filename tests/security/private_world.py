"""A small world of private things for the security tests: everything an owner keeps
to themself, made through the API the way the owner would, plus another user, a
moderator and an administrator (its fixture is offered by this folder's conftest)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
import pytest

from kinema.db import transaction

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User
    from kinema.runtime import Runtime
    from kinema.settings import Settings
    from kinema.studio.models import Video
    from published_videos import Clip


def pet_recording(path: Path, seconds: float = 4.0) -> Path:
    """A clip a pet's owner could upload: a moving picture with sound, ``seconds`` long."""
    fps, rate = 12, 24_000
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 160, 160, "yuv420p"
        audio = container.add_stream("aac", rate=rate)
        for index in range(int(seconds * fps)):
            picture = np.full((160, 160, 3), (40, 120, 200), np.uint8)
            picture[60:100, index % 120 : index % 120 + 40] = (230, 180, 60)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
        t = np.arange(int(seconds * rate)) / rate
        tone = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        for start in range(0, len(tone), 1024):
            chunk = av.AudioFrame.from_ndarray(
                tone[None, start : start + 1024], format="fltp", layout="mono"
            )
            chunk.sample_rate = rate
            container.mux(audio.encode(chunk))
        container.mux(audio.encode())
    return path


@dataclass
class World:
    """The owner's private things by kind, and who is around."""

    owner: User
    other: User
    moderator: User
    admin: User
    owner_client: TestClient
    draft: str
    published: str
    generation: str
    character: str
    api_key: str
    webhook: str
    comment: str
    notification: str
    action: str
    appeal: str


@pytest.fixture
def world(
    settings: Settings,
    runtime: Runtime,
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    publish: Callable[..., Video],
    clip: Clip,
    tmp_path: Path,
) -> World:
    from kinema.ids import new_id
    from kinema.safety import service as safety
    from kinema.studio.models import DRAFT, Video

    runtime.huey.immediate = False  # queued work stays queued: nothing renders here
    settings.webhooks_allow_private = True
    owner, other = make_user("olivia"), make_user("mallory")
    moderator, admin = make_user("mona"), make_user("adam", is_admin=True)
    with transaction(runtime.sessions) as session:
        safety.set_role(session, None, "mona", "moderator")
    owner_client = api_client(owner)

    published = publish(owner, "a lighthouse at dusk", caption="evening")
    # A draft as a finished render leaves it: the shared test clip's media, unpublished.
    draft_id = new_id("vid")
    runtime.storage.put_file(f"videos/{draft_id}.mp4", clip.video)
    runtime.storage.put_file(f"videos/{draft_id}.jpg", clip.thumbnail)
    with transaction(runtime.sessions) as session:
        session.add(
            Video(
                id=draft_id,
                author_id=owner.id,
                prompt="a private sketch of my garden",
                status=DRAFT,
                seconds=clip.seconds,
                width=clip.width,
                height=clip.height,
                fps=clip.fps,
                engine="procedural",
                plan=dict(clip.plan),
                video_key=f"videos/{draft_id}.mp4",
                thumbnail_key=f"videos/{draft_id}.jpg",
            )
        )

    generation = owner_client.post(
        "/api/generations", json={"prompt": "a red fox in the snow", "seconds": 1}
    )
    assert generation.status_code == 202, generation.text
    with pet_recording(tmp_path / "pet.mp4").open("rb") as clip:
        character = owner_client.post(
            "/api/characters",
            data={"name": "Biscuit", "handle": "biscuit_cat", "kind": "pet"},
            files={"video": ("pet.mp4", clip, "video/mp4")},
        )
    assert character.status_code == 202, character.text
    key = owner_client.post("/api/tokens", json={"name": "laptop"})
    assert key.status_code == 201, key.text
    webhook = owner_client.post("/api/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert webhook.status_code == 201, webhook.text
    comment = owner_client.post(f"/api/videos/{published.id}/comments", json={"text": "mine"})
    assert comment.status_code == 201, comment.text

    other_client = api_client(other)
    assert other_client.post("/api/users/olivia/follow").status_code in (200, 201)
    [notification] = owner_client.get("/api/notifications").json()["items"]

    action = api_client(moderator).post(
        "/api/moderation/actions",
        json={"action": "warn", "target_type": "user", "target_id": owner.id, "note": "tone"},
    )
    assert action.status_code == 201, action.text
    action_id = action.json()["action"]["id"]
    appeal = owner_client.post("/api/appeals", json={"action_id": action_id, "text": "unfair"})
    assert appeal.status_code == 201, appeal.text

    return World(
        owner=owner,
        other=other,
        moderator=moderator,
        admin=admin,
        owner_client=owner_client,
        draft=draft_id,
        published=published.id,
        generation=generation.json()["generation"]["id"],
        character=character.json()["character"]["id"],
        api_key=key.json()["id"],
        webhook=webhook.json()["webhook"]["id"],
        comment=comment.json()["comment"]["id"],
        notification=notification["id"],
        action=action_id,
        appeal=appeal.json()["appeal"]["id"],
    )
