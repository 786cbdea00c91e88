"""Small steps the character tests share: submitting clips through the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient


def submit(
    client: TestClient,
    clip: Path,
    *,
    handle: str,
    name: str = "Test Character",
    kind: str = "person",
    challenge_id: str | None = None,
) -> Any:
    """POST a capture clip; returns the response."""
    data = {"name": name, "handle": handle, "kind": kind}
    if challenge_id:
        data["challenge_id"] = challenge_id
    with clip.open("rb") as fh:
        return client.post(
            "/api/characters", data=data, files={"video": (clip.name, fh, "video/mp4")}
        )


def character(client: TestClient, character_id: str) -> dict[str, Any]:
    response = client.get(f"/api/characters/{character_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def verified_pet(client: TestClient, clip: Path, handle: str) -> dict[str, Any]:
    """A verified pet character of the client's user."""
    response = submit(client, clip, handle=handle, name=handle.title(), kind="pet")
    assert response.status_code == 202, response.text
    found = character(client, response.json()["character"]["id"])
    assert found["status"] == "verified", found.get("reason")
    return found


def verified_person(
    client: TestClient, clips: Callable[..., Path], *, handle: str, name: str
) -> dict[str, Any]:
    """A person character of the client's user, verified by a capture that speaks the
    phrase and turns the head the way the challenge asked."""
    ask = client.post("/api/characters/challenge").json()
    clip = clips("person", phrase=ask["phrase"], turns=ask["turns"])
    created = submit(client, clip, handle=handle, name=name, challenge_id=ask["id"])
    found = character(client, created.json()["character"]["id"])
    assert found["status"] == "verified", found.get("reason")
    return found
