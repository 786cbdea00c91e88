"""Recording yourself as a character: the challenge, verification of a real face with
head turns and speech, refusals that say why, pets, and biometric data sealed at rest."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from character_steps import character, submit
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from kinema.characters.models import Character

DIGITS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}


@pytest.fixture
def alice(make_user, api_client) -> TestClient:  # type: ignore[no-untyped-def]
    return api_client(make_user("alice"))


def challenge(client: TestClient) -> dict:  # type: ignore[type-arg]
    response = client.post("/api/characters/challenge")
    assert response.status_code == 201, response.text
    return response.json()


def test_challenge_is_three_digits_and_up_to_three_turns(alice: TestClient) -> None:
    seen_turns: set[str] = set()
    for _ in range(12):
        body = challenge(alice)
        words = body["phrase"].split()
        assert len(words) == 3 and set(words) <= DIGITS
        assert 1 <= len(body["turns"]) <= 3
        assert set(body["turns"]) <= {"left", "right", "up", "down"}
        assert all(a != b for a, b in zip(body["turns"], body["turns"][1:], strict=False))
        seen_turns |= set(body["turns"])
    assert len(seen_turns) >= 3  # random, not a fixed script


@pytest.mark.slow
def test_person_is_verified_from_their_recording(
    alice: TestClient,
    clips: Callable[..., Path],
    runtime,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    ask = challenge(alice)
    clip = clips("person", phrase=ask["phrase"], turns=ask["turns"])
    response = submit(alice, clip, handle="eileen", name="Eileen", challenge_id=ask["id"])
    assert response.status_code == 202, response.text
    assert response.json()["character"]["status"] == "verifying"
    found = character(alice, response.json()["character"]["id"])
    assert found["status"] == "verified", found.get("reason")
    assert found["reason"] is None
    assert found["permission"]["level"] == "only_me"

    # The owner sees the cutout: background gone, the face opaque.
    cutout = alice.get(found["cutout_url"])
    assert cutout.status_code == 200 and cutout.headers["content-type"] == "image/png"
    image = np.asarray(Image.open(io.BytesIO(cutout.content)).convert("RGBA"))
    height, width = image.shape[:2]
    assert image[height // 3, width // 2, 3] == 255  # the face
    assert image[2, 2, 3] == 0 and image[2, width - 3, 3] == 0  # the top corners: background
    assert 0.3 < (image[:, :, 3] > 128).mean() < 0.9

    # Biometric data is sealed at rest and the source clip is gone.
    with runtime.sessions() as session:
        row = session.scalars(select(Character)).one()
        assert row.descriptor_sealed and len(row.descriptor_sealed) > 128 * 8
        assert row.voice_sealed and b"pitch" not in row.voice_sealed
        assert row.clip_key is None
        stored = runtime.storage.read_bytes(row.cutout_key)
    # Sealed: no picture can be read from what is stored.
    with pytest.raises(OSError):
        Image.open(io.BytesIO(stored))
    assert (settings.data_dir / "biometric.key").stat().st_mode & 0o077 == 0
    assert not list((settings.data_dir / "media" / "characters").rglob("clip*"))


@pytest.mark.slow
def test_turns_in_the_wrong_order_are_refused_with_the_reason(
    alice: TestClient, clips: Callable[..., Path]
) -> None:
    ask = challenge(alice)
    wrong = list(reversed(ask["turns"])) if len(ask["turns"]) > 1 else []
    if not wrong:
        wrong = ["right"] if ask["turns"] == ["left"] else ["left"]
    clip = clips("person", phrase=ask["phrase"], turns=wrong)
    response = submit(alice, clip, handle="eileen", challenge_id=ask["id"])
    found = character(alice, response.json()["character"]["id"])
    if wrong == ask["turns"]:  # a palindrome like left, right, left
        assert found["status"] == "verified"
        return
    assert found["status"] == "rejected"
    assert "head turns did not match" in found["reason"]
    assert ", then ".join(ask["turns"]) in found["reason"]


def test_a_clip_without_a_face_is_refused(alice: TestClient, clips: Callable[..., Path]) -> None:
    ask = challenge(alice)
    response = submit(alice, clips("faceless"), handle="nobody", challenge_id=ask["id"])
    assert response.status_code == 202, response.text
    found = character(alice, response.json()["character"]["id"])
    assert found["status"] == "rejected"
    assert "No face was found" in found["reason"]


def test_a_pet_needs_no_face_and_is_cut_out(alice: TestClient, clips: Callable[..., Path]) -> None:
    response = submit(alice, clips("pet"), handle="chelsea", name="Chelsea", kind="pet")
    assert response.status_code == 202, response.text
    found = character(alice, response.json()["character"]["id"])
    assert found["status"] == "verified", found.get("reason")
    image = np.asarray(Image.open(io.BytesIO(alice.get(found["cutout_url"]).content)))
    assert image.shape[2] == 4 and (image[:, :, 3] == 0).any() and (image[:, :, 3] == 255).any()


def test_bad_submissions_get_clear_errors_and_keep_nothing(
    alice: TestClient,
    clips: Callable[..., Path],
    tmp_path: Path,
    runtime,  # type: ignore[no-untyped-def]
) -> None:
    from capture_clips import FPS, astronaut_portrait, write_clip

    pet = clips("pet")
    not_video = tmp_path / "notes.mp4"
    not_video.write_bytes(b"this is not a video at all")
    short = write_clip(
        tmp_path / "short.mp4", [astronaut_portrait()] * FPS, np.zeros(48000, np.float32)
    )
    silent = write_clip(tmp_path / "silent.mp4", [astronaut_portrait()] * (4 * FPS), None)

    cases = [
        (submit(alice, not_video, handle="pet_a", kind="pet"), 400, "could not be read"),
        (submit(alice, short, handle="pet_b", kind="pet"), 400, "between 3 and 15 seconds"),
        (submit(alice, silent, handle="pet_c", kind="pet"), 400, "no sound"),
        (submit(alice, pet, handle="x", kind="pet"), 400, "3 to 30"),
        (submit(alice, pet, handle="pet_d", kind="robot"), 400, "person, pet or object"),
        (submit(alice, pet, handle="pet_e"), 400, "challenge"),
        (submit(alice, pet, handle="pet_f", challenge_id="chl_nope"), 404, "challenge"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert words in response.json()["error"]["message"]
    assert alice.get("/api/characters").json()["items"] == []

    assert submit(alice, pet, handle="rex", kind="pet").status_code == 202
    taken = submit(alice, pet, handle="REX", kind="pet")
    assert taken.status_code == 409 and "@rex is taken" in taken.json()["error"]["message"]

    ask = challenge(alice)
    assert submit(alice, pet, handle="first", challenge_id=ask["id"]).status_code == 202
    again = submit(alice, pet, handle="second", challenge_id=ask["id"])
    assert again.status_code == 409 and "already used" in again.json()["error"]["message"]
    # Nothing of the refused uploads is left in storage.
    media = Path(runtime.settings.data_dir) / "media" / "characters"
    assert not list(media.rglob("clip*"))


def test_others_cannot_see_a_private_character(
    alice: TestClient,
    make_user,
    api_client,
    clips: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    response = submit(alice, clips("pet"), handle="rex", kind="pet")
    character_id = response.json()["character"]["id"]
    bob = api_client(make_user("bob"))
    assert bob.get(f"/api/characters/{character_id}").status_code == 404
    assert bob.get(f"/api/characters/{character_id}/cutout").status_code == 404
    assert bob.get(f"/api/characters/{character_id}/appearances").status_code == 404
    assert bob.delete(f"/api/characters/{character_id}").status_code == 404
    assert alice.get(f"/api/characters/{character_id}").status_code == 200


@pytest.mark.slow
def test_one_face_one_owner(
    alice: TestClient,
    make_user,
    api_client,
    clips: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    ask = challenge(alice)
    first = submit(
        alice,
        clips("person", phrase=ask["phrase"], turns=ask["turns"]),
        handle="eileen",
        challenge_id=ask["id"],
    )
    assert character(alice, first.json()["character"]["id"])["status"] == "verified"

    mallory = api_client(make_user("mallory"))
    ask = challenge(mallory)
    second = submit(
        mallory,
        clips("person", phrase=ask["phrase"], turns=ask["turns"]),
        handle="not_eileen",
        challenge_id=ask["id"],
    )
    found = character(mallory, second.json()["character"]["id"])
    assert found["status"] == "rejected"
    assert "already belongs to another account" in found["reason"]

    # The same holds for pictures: her own portrait is fine for her, not for another.
    from capture_clips import astronaut_portrait

    buffer = io.BytesIO()
    Image.fromarray(astronaut_portrait()).save(buffer, format="PNG")
    photo = {"file": ("me.png", buffer.getvalue(), "image/png")}
    assert alice.post("/api/uploads", files=photo).status_code == 201
    refused = mallory.post("/api/uploads", files=photo)
    assert refused.status_code == 400, refused.text


@pytest.mark.slow
def test_a_silent_recording_of_a_person_is_refused(
    alice: TestClient, tmp_path: Path
) -> None:
    from capture_clips import FPS, RATE, astronaut_portrait, pose_track, turned, write_clip

    ask = challenge(alice)
    frames = [turned(astronaut_portrait(), yaw, pitch) for yaw, pitch in pose_track(ask["turns"])]
    room = np.random.default_rng(3).standard_normal(int(len(frames) / FPS * RATE)) * 0.002
    clip = write_clip(tmp_path / "silent.mp4", frames, room.astype(np.float32))
    response = submit(alice, clip, handle="quiet", name="Quiet", challenge_id=ask["id"])
    assert response.status_code == 202, response.text
    found = character(alice, response.json()["character"]["id"])
    assert found["status"] == "rejected"
    assert "No one could be heard speaking" in found["reason"]
