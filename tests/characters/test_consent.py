"""Who may put a character in a video: every permission level against every relation
between the person asking and the owner, teens' characters, the ``@handle`` rules of a
prompt, and the owner's content rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from character_steps import verified_pet
from fastapi.testclient import TestClient

from kinema.runtime import Runtime

# level -> the relations allowed to use the character
ALLOWED = {
    "only_me": {"self"},
    "approved": {"self", "approved"},
    "mutuals": {"self", "mutual"},
    "everyone": {"self", "stranger", "follower", "mutual", "approved"},
}
RELATIONS = ("self", "stranger", "follower", "mutual", "approved")


_runtime: list[Runtime] = []


@pytest.fixture(autouse=True)
def _remember_runtime(runtime: Runtime) -> None:
    _runtime[:] = [runtime]


def ask_for_video(client: TestClient, prompt: str) -> tuple[int, str]:
    """Ask for a video; it is queued, not rendered (asking is what is checked here)."""
    huey = _runtime[0].huey
    huey.immediate = False
    try:
        response = client.post(
            "/api/generations", json={"prompt": prompt, "seconds": 1, "size": "160x288"}
        )
    finally:
        huey.immediate = True
    body = response.json()
    return response.status_code, body.get("error", {}).get("message", "")


@pytest.fixture
def people(make_user, api_client) -> dict[str, TestClient]:  # type: ignore[no-untyped-def]
    """The owner and one person in each relation to them."""
    clients = {
        "self": api_client(make_user("owner")),
        "stranger": api_client(make_user("stranger")),
        "follower": api_client(make_user("follower")),
        "mutual": api_client(make_user("mutual")),
        "approved": api_client(make_user("approved")),
    }
    assert clients["follower"].post("/api/users/owner/follow").status_code in (200, 201)
    assert clients["mutual"].post("/api/users/owner/follow").status_code in (200, 201)
    assert clients["self"].post("/api/users/mutual/follow").status_code in (200, 201)
    return clients


def test_permission_matrix(people: dict[str, TestClient], clips: Callable[..., Path]) -> None:
    owner = people["self"]
    pet = verified_pet(owner, clips("pet"), "rex")
    assert pet["permission"] == {"level": "only_me", "approved": []}
    for level, allowed in ALLOWED.items():
        response = owner.put(
            f"/api/characters/{pet['id']}/permission",
            json={"level": level, "approved": ["approved"] if level == "approved" else []},
        )
        assert response.status_code == 200, response.text
        assert response.json()["permission"]["level"] == level
        for relation in RELATIONS:
            status, message = ask_for_video(people[relation], "@rex chases a ball in the park")
            if relation in allowed:
                assert status == 202, (level, relation, message)
            else:
                assert status in (403, 404), (level, relation, status)
                assert "@rex" in message, message
            # Only those allowed can see the character at all.
            seen = people[relation].get(f"/api/characters/{pet['id']}").status_code
            assert seen == (200 if relation in allowed else 404), (level, relation)


def test_revoking_refuses_new_uses_at_once(
    people: dict[str, TestClient], clips: Callable[..., Path]
) -> None:
    owner, stranger = people["self"], people["stranger"]
    pet = verified_pet(owner, clips("pet"), "rex")
    owner.put(f"/api/characters/{pet['id']}/permission", json={"level": "everyone"})
    assert ask_for_video(stranger, "@rex sleeps")[0] == 202
    owner.put(f"/api/characters/{pet['id']}/permission", json={"level": "only_me"})
    status, message = ask_for_video(stranger, "@rex sleeps")
    assert status == 404 and "@rex" in message
    owner.put(f"/api/characters/{pet['id']}/permission", json={"level": "approved", "approved": []})
    status, message = ask_for_video(stranger, "@rex sleeps")
    assert status == 403 and "@rex's owner has not allowed you" in message


def test_a_teens_character_is_never_open_to_everyone(
    make_user,
    api_client,
    clips: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    teen = api_client(make_user("teen", birthdate=date(date.today().year - 15, 1, 1)))
    friend = api_client(make_user("friend"))
    stranger = api_client(make_user("stranger"))
    pet = verified_pet(teen, clips("pet"), "teen_cat")
    assert pet["permission"]["level"] == "only_me"
    response = teen.put(f"/api/characters/{pet['id']}/permission", json={"level": "everyone"})
    assert response.status_code == 403
    assert "under 18" in response.json()["error"]["message"]
    assert teen.get(f"/api/characters/{pet['id']}").json()["permission"]["level"] == "only_me"
    response = teen.put(
        f"/api/characters/{pet['id']}/permission",
        json={"level": "approved", "approved": ["friend"]},
    )
    assert response.status_code == 200
    assert response.json()["permission"] == {"level": "approved", "approved": ["friend"]}
    assert ask_for_video(friend, "@teen_cat naps")[0] == 202
    assert ask_for_video(stranger, "@teen_cat naps")[0] in (403, 404)


def test_prompt_mentions_are_checked_and_named(
    make_user,
    api_client,
    clips: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    owner = api_client(make_user("owner"))
    for handle in ("rex", "tom", "kit"):
        verified_pet(owner, clips("pet"), handle)
    status, message = ask_for_video(owner, "@rex and @tom and @kit have a picnic")
    assert status == 400 and "at most 2" in message
    status, message = ask_for_video(owner, "@rex meets @nobody_here")
    assert status == 404 and "@nobody_here" in message
    assert ask_for_video(owner, "@rex and @tom have a picnic")[0] == 202
    # An e-mail address is not a mention.
    assert ask_for_video(owner, "a letter to rex@example.com on a desk")[0] == 202


def test_content_rules_are_checked_at_submission(
    make_user,
    api_client,
    clips: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    owner = api_client(make_user("owner"))
    friend = api_client(make_user("friend"))
    pet = verified_pet(owner, clips("pet"), "rex")
    owner.put(f"/api/characters/{pet['id']}/permission", json={"level": "everyone"})
    response = owner.put(
        f"/api/characters/{pet['id']}/preferences",
        json={"instructions": "always wears a red cap; no political content; never swearing"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["appearance_rules"] == ["always wears a red cap"]
    assert body["content_rules"] == ["no political content", "never swearing"]
    # Others see neither the rules nor the approvals.
    seen = friend.get(f"/api/characters/{pet['id']}").json()
    assert seen["instructions"] == "" and seen["content_rules"] == []

    status, message = ask_for_video(friend, "@rex gives a speech at an election rally")
    assert status == 403 and "no political content" in message and "@rex" in message
    status, message = ask_for_video(friend, '@rex barks "damn it"')
    assert status == 403 and "never swearing" in message
    assert ask_for_video(friend, "@rex plays fetch on the beach")[0] == 202


def test_unknown_approved_handle_is_refused_and_nothing_changes(
    make_user,
    api_client,
    clips: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    owner = api_client(make_user("owner"))
    pet = verified_pet(owner, clips("pet"), "rex")
    response = owner.put(
        f"/api/characters/{pet['id']}/permission",
        json={"level": "approved", "approved": ["ghost_person"]},
    )
    assert response.status_code == 400 and "@ghost_person" in response.json()["error"]["message"]
    assert owner.get(f"/api/characters/{pet['id']}").json()["permission"]["level"] == "only_me"
    bad = owner.put(f"/api/characters/{pet['id']}/permission", json={"level": "friends"})
    assert bad.status_code == 400
