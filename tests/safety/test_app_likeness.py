"""Likeness protection with real characters: a photo of a real face may start a video
only for the person whose verified character it is; a public figure may be named only
when they made a character that allows it."""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from kinema.accounts.models import User

CHARACTER_TESTS = Path(__file__).resolve().parent.parent / "characters"


def _load(name: str, filename: str) -> ModuleType:
    """The character tests' clip builders (a real face with head turns and speech)."""
    if str(CHARACTER_TESTS) not in sys.path:
        sys.path.insert(0, str(CHARACTER_TESTS))
    spec = importlib.util.spec_from_file_location(name, CHARACTER_TESTS / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builders = _load("character_builders", "capture_clips.py")
steps = _load("character_steps", "character_steps.py")


def verified_person(client: TestClient, tmp_path: Path, *, handle: str, name: str) -> dict:  # type: ignore[type-arg]
    ask = client.post("/api/characters/challenge").json()
    clip = builders.person_clip(tmp_path / f"{handle}.mp4", ask["phrase"], ask["turns"])
    response = steps.submit(client, clip, handle=handle, name=name, challenge_id=ask["id"])
    assert response.status_code == 202, response.text
    found: dict = steps.character(client, response.json()["character"]["id"])  # type: ignore[type-arg]
    assert found["status"] == "verified", found.get("reason")
    return found


def portrait_png() -> bytes:
    out = io.BytesIO()
    Image.fromarray(builders.astronaut_portrait()).save(out, "PNG")
    return out.getvalue()


@pytest.mark.slow
def test_own_verified_face_may_be_uploaded_and_nobody_elses(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    tmp_path: Path,
) -> None:
    eileen = api_client(make_user("eileen"))
    bob = api_client(make_user("bob"))
    verified_person(eileen, tmp_path, handle="eileen_cameo", name="Eileen Collins")

    files = {"file": ("portrait.png", portrait_png(), "image/png")}
    own = eileen.post("/api/uploads", files=files)
    assert own.status_code == 201, own.text
    other = bob.post("/api/uploads", files=files)
    assert other.status_code == 400
    assert other.json()["error"]["category"] == "likeness"


@pytest.mark.slow
def test_public_figure_with_a_character_that_allows_it(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    tmp_path: Path,
    runtime: object,
) -> None:
    famous = api_client(make_user("famous"))
    fan = api_client(make_user("fan"))
    admin = api_client(make_user("root", is_admin=True))
    assert (
        admin.post("/api/moderation/public-figures", json={"entry": "Eileen Collins"}).status_code
        == 201
    )
    runtime.huey.immediate = False  # type: ignore[attr-defined]
    prompt = {"prompt": "Eileen Collins waves from a rocket"}
    refused = fan.post("/api/generations", json=prompt)
    assert refused.status_code == 400 and refused.json()["error"]["category"] == "public_figure"

    runtime.huey.immediate = True  # type: ignore[attr-defined]
    made = verified_person(famous, tmp_path, handle="eileen_real", name="Eileen Collins")
    runtime.huey.immediate = False  # type: ignore[attr-defined]
    # Her own prompts may name her; a fan's still may not until she allows everyone.
    assert famous.post("/api/generations", json=prompt).status_code == 202
    assert fan.post("/api/generations", json=prompt).status_code == 400
    allowed = famous.put(f"/api/characters/{made['id']}/permission", json={"level": "everyone"})
    assert allowed.status_code == 200, allowed.text
    assert fan.post("/api/generations", json=prompt).status_code == 202
    runtime.huey.flush()  # type: ignore[attr-defined]
