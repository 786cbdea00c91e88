"""A private character is indistinguishable from a missing one to everyone else, even
when they try to report it; and per-account caps on characters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from character_steps import submit, verified_pet
from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.characters import service as characters


def test_reporting_someone_elses_private_character_is_like_reporting_nothing(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    clips: Callable[..., Path],
) -> None:
    owner = api_client(make_user("alice"))
    pet = verified_pet(owner, clips("pet"), "rex_private")
    assert pet["permission"]["level"] == "only_me"
    stranger = api_client(make_user("bob"))

    private = stranger.post(
        "/api/reports", json={"target_type": "character", "target_id": pet["id"],
                              "reason": "spam"},
    )
    missing = stranger.post(
        "/api/reports", json={"target_type": "character", "target_id": "chr_missing",
                              "reason": "spam"},
    )
    assert private.status_code == missing.status_code == 404
    assert private.json() == missing.json()

    shared = owner.put(f"/api/characters/{pet['id']}/permission", json={"level": "everyone"})
    assert shared.status_code == 200, shared.text
    reported = stranger.post(
        "/api/reports", json={"target_type": "character", "target_id": pet["id"],
                              "reason": "spam"},
    )
    assert reported.status_code == 201, reported.text


def test_an_account_holds_a_bounded_number_of_characters(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    clips: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(characters, "MAX_CHARACTERS_PER_USER", 1)
    client = api_client(make_user("alice"))
    clip = clips("pet")
    verified_pet(client, clip, "rex_one")
    refused = submit(client, clip, handle="rex_two", name="Rex Two", kind="pet")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "character_limit"
