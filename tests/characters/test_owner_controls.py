"""What a character's owner controls once others use it: every video it appears in
(other people's drafts included), taking any of them down for everyone, notices of each
use, revoking permission (queued videos fail too) and deleting the character."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from character_steps import verified_pet
from fastapi.testclient import TestClient

from kinema.runtime import Runtime
from kinema.studio import service as studio

TINY = {"seconds": 1, "size": "160x288", "seed": 3}


def make_video(client: TestClient, prompt: str) -> dict[str, Any]:
    """Ask for a video and wait for it (the queue runs at once in tests)."""
    response = client.post("/api/generations", json={"prompt": prompt, **TINY})
    assert response.status_code == 202, response.text
    generation = client.get(f"/api/generations/{response.json()['generation']['id']}").json()
    assert generation["status"] == "completed", generation
    video = client.get(f"/api/videos/{generation['video_id']}")
    assert video.status_code == 200
    body: dict[str, Any] = video.json()
    return body


@pytest.fixture
def cast(make_user, api_client, clips: Callable[..., Path]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    owner = api_client(make_user("owner"))
    author = api_client(make_user("author"))
    pet = verified_pet(owner, clips("pet"), "rex")
    assert (
        owner.put(f"/api/characters/{pet['id']}/permission", json={"level": "everyone"})
    ).status_code == 200
    return {"owner": owner, "author": author, "pet": pet}


@pytest.mark.slow
def test_owner_sees_drafts_is_notified_and_takes_a_video_down(cast: dict[str, Any]) -> None:
    owner, author, pet = cast["owner"], cast["author"], cast["pet"]
    draft = make_video(author, "@rex runs across a sunny meadow")
    assert draft["status"] == "draft"
    assert draft["characters"] == [{"handle": "rex", "name": "Rex", "kind": "pet"}]

    listed = owner.get(f"/api/characters/{pet['id']}/appearances").json()["items"]
    assert [(a["video_id"], a["author"], a["status"]) for a in listed] == [
        (draft["id"], "author", "draft")
    ]
    # Someone else's draft is private to everyone but its author...
    assert owner.get(f"/api/videos/{draft['id']}").status_code == 404
    # ...and the owner heard about the use all the same.
    notes = owner.get("/api/notifications").json()["items"]
    assert any(n["kind"] == "character_used" and n["video_id"] == draft["id"] for n in notes)

    assert author.get(f"/api/videos/{draft['id']}/content").status_code == 200
    gone = owner.delete(f"/api/characters/{pet['id']}/appearances/{draft['id']}")
    assert gone.status_code == 204
    # Gone for the author too: not playable, not a draft, not publishable.
    seen = author.get(f"/api/videos/{draft['id']}")
    assert seen.status_code == 404 or seen.json()["status"] == "removed"
    assert author.get(f"/api/videos/{draft['id']}/content").status_code == 404
    drafts = author.get("/api/me/drafts").json()["items"]
    assert draft["id"] not in [v["id"] for v in drafts]
    assert author.post(f"/api/videos/{draft['id']}/publish", json={}).status_code in (403, 404)
    listed = owner.get(f"/api/characters/{pet['id']}/appearances").json()["items"]
    assert listed[0]["status"] == "removed"

    # Only the owner controls the appearances, and only of videos the character is in.
    assert author.get(f"/api/characters/{pet['id']}/appearances").status_code == 403
    other = make_video(author, "a quiet lake at dawn")
    missing = owner.delete(f"/api/characters/{pet['id']}/appearances/{other['id']}")
    assert missing.status_code == 404


@pytest.mark.slow
def test_deleting_a_character_removes_its_videos_and_its_data(
    cast: dict[str, Any], runtime: Runtime
) -> None:
    owner, author, pet = cast["owner"], cast["author"], cast["pet"]
    video = make_video(author, "@rex sleeps by the fire")
    assert author.post(f"/api/videos/{video['id']}/publish", json={}).status_code == 200
    assert owner.get(f"/api/videos/{video['id']}").status_code == 200
    cutout_files = list((runtime.settings.data_dir / "media" / "characters").rglob("*"))
    assert any(f.is_file() for f in cutout_files)

    assert owner.delete(f"/api/characters/{pet['id']}").status_code == 204
    assert owner.get(f"/api/characters/{pet['id']}").status_code == 404
    assert owner.get(f"/api/videos/{video['id']}").status_code == 404
    assert author.get(f"/api/videos/{video['id']}/content").status_code == 404
    left = [f for f in (runtime.settings.data_dir / "media" / "characters").rglob("*")]
    assert not any(f.is_file() for f in left)
    response = author.post("/api/generations", json={"prompt": "@rex again", **TINY})
    assert response.status_code == 404 and "@rex" in response.json()["error"]["message"]


def test_a_queued_video_fails_when_permission_is_revoked(
    cast: dict[str, Any], runtime: Runtime
) -> None:
    owner, author, pet = cast["owner"], cast["author"], cast["pet"]
    runtime.huey.immediate = False
    response = author.post("/api/generations", json={"prompt": "@rex digs a hole", **TINY})
    assert response.status_code == 202
    generation_id = response.json()["generation"]["id"]
    owner.put(f"/api/characters/{pet['id']}/permission", json={"level": "only_me"})
    assert studio.run_generation(runtime, generation_id) is None
    job = author.get(f"/api/generations/{generation_id}").json()
    assert job["status"] == "failed"
    assert "@rex's owner no longer allows you" in job["error"]


def test_a_queued_video_fails_when_the_character_is_deleted(
    cast: dict[str, Any], runtime: Runtime
) -> None:
    owner, author, pet = cast["owner"], cast["author"], cast["pet"]
    runtime.huey.immediate = False
    response = author.post("/api/generations", json={"prompt": "@rex digs a hole", **TINY})
    generation_id = response.json()["generation"]["id"]
    assert owner.delete(f"/api/characters/{pet['id']}").status_code == 204
    assert studio.run_generation(runtime, generation_id) is None
    job = author.get(f"/api/generations/{generation_id}").json()
    assert job["status"] == "failed" and "@rex was deleted" in job["error"]
