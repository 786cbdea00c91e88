"""Who can reach whose things: every route of the app that names a resource is tried
by another user, by nobody signed in and, on moderator and administrator routes, by an
ordinary user. The list of routes comes from the app itself, so a new route that names
a resource fails here until it is placed in the matrix or on the public list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.routing import iter_route_contexts
from private_world import World

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User


@dataclass(frozen=True)
class Attempt:
    """One call on the owner's resource: the path's values come from the world."""

    fill: Callable[[World], dict[str, str]]
    json: dict[str, Any] | None = None
    # What another signed-in user gets: 404, as if the thing did not exist, unless the
    # thing is visible and only the act is not allowed (then 403).
    other: int = 404
    # What a caller without credentials gets: 401, or 404 where reading is open to
    # everyone and this thing is simply not visible.
    anonymous: int = 401
    extra: dict[str, Any] = field(default_factory=dict)


def _draft(w: World) -> dict[str, str]:
    return {"video_id": w.draft}


def _generation(w: World) -> dict[str, str]:
    return {"generation_id": w.generation, "video_id": w.generation}


def _character(w: World) -> dict[str, str]:
    return {"character_id": w.character}


def _webhook(w: World) -> dict[str, str]:
    return {"webhook_id": w.webhook, "endpoint_id": w.webhook}


# (method, path) -> the attempt on the owner's private thing.
PRIVATE: dict[tuple[str, str], Attempt] = {
    ("DELETE", "/api/tokens/{key_id}"): Attempt(lambda w: {"key_id": w.api_key}),
    ("GET", "/api/generations/{generation_id}"): Attempt(_generation),
    ("POST", "/api/generations/{generation_id}/cancel"): Attempt(_generation),
    ("GET", "/api/generations/{generation_id}/events"): Attempt(_generation),
    ("GET", "/api/videos/{video_id}"): Attempt(_draft, anonymous=404),
    ("GET", "/api/videos/{video_id}/content"): Attempt(_draft, anonymous=404),
    ("GET", "/api/videos/{video_id}/captions.vtt"): Attempt(_draft, anonymous=404),
    ("POST", "/api/videos/{video_id}/publish"): Attempt(_draft, json={"caption": "mine now"}),
    ("DELETE", "/api/videos/{video_id}"): Attempt(_draft),
    ("POST", "/api/videos/{video_id}/like"): Attempt(_draft),
    ("DELETE", "/api/videos/{video_id}/like"): Attempt(_draft),
    ("GET", "/api/videos/{video_id}/comments"): Attempt(_draft, anonymous=404),
    ("POST", "/api/videos/{video_id}/comments"): Attempt(_draft, json={"text": "found it"}),
    ("POST", "/api/videos/{video_id}/remix"): Attempt(_draft, json={"prompt": "make it night"}),
    ("GET", "/api/videos/{video_id}/remixes"): Attempt(_draft, anonymous=404),
    ("GET", "/api/videos/{video_id}/lineage"): Attempt(_draft, anonymous=404),
    ("POST", "/api/videos/{video_id}/not-interested"): Attempt(_draft),
    ("DELETE", "/api/comments/{comment_id}"): Attempt(lambda w: {"comment_id": w.comment}),
    ("GET", "/v1/videos/{video_id}"): Attempt(_generation),
    ("DELETE", "/v1/videos/{video_id}"): Attempt(_generation),
    ("POST", "/v1/videos/{video_id}/remix"): Attempt(_generation, json={"prompt": "at night"}),
    ("GET", "/v1/videos/{video_id}/content"): Attempt(_generation),
    ("GET", "/v1/videos/characters/{character_id}"): Attempt(_character),
    ("GET", "/v1/webhook_endpoints/{endpoint_id}"): Attempt(_webhook),
    ("DELETE", "/v1/webhook_endpoints/{endpoint_id}"): Attempt(_webhook),
    ("GET", "/api/webhooks/{webhook_id}"): Attempt(_webhook),
    ("DELETE", "/api/webhooks/{webhook_id}"): Attempt(_webhook),
    ("GET", "/api/webhooks/{webhook_id}/deliveries"): Attempt(_webhook),
    ("GET", "/api/characters/{character_id}"): Attempt(_character),
    ("GET", "/api/characters/{character_id}/cutout"): Attempt(_character),
    ("PUT", "/api/characters/{character_id}/permission"): Attempt(
        _character, json={"level": "everyone", "approved": []}
    ),
    ("PUT", "/api/characters/{character_id}/preferences"): Attempt(
        _character, json={"instructions": "always wears a clown nose"}
    ),
    ("GET", "/api/characters/{character_id}/appearances"): Attempt(_character),
    ("DELETE", "/api/characters/{character_id}/appearances/{video_id}"): Attempt(
        lambda w: {"character_id": w.character, "video_id": w.published}
    ),
    ("DELETE", "/api/characters/{character_id}"): Attempt(_character),
    ("GET", "/v/{video_id}"): Attempt(_draft, anonymous=404),
}

# Routes for moderators (or administrators only): an ordinary user gets 403.
STAFF: dict[tuple[str, str], Attempt] = {
    ("GET", "/api/moderation/queue"): Attempt(lambda w: {}),
    ("POST", "/api/moderation/actions"): Attempt(
        lambda w: {}, json={"action": "suspend", "target_type": "user", "target_id": "x"}
    ),
    ("GET", "/api/moderation/audit"): Attempt(lambda w: {}, extra={"admin_only": True}),
    ("GET", "/api/moderation/refusals"): Attempt(lambda w: {}, extra={"admin_only": True}),
    ("GET", "/api/moderation/appeals"): Attempt(lambda w: {}),
    ("POST", "/api/moderation/appeals/{appeal_id}/decision"): Attempt(
        lambda w: {"appeal_id": w.appeal}, json={"grant": True, "note": "sure"}
    ),
    ("PUT", "/api/users/{handle}/role"): Attempt(
        lambda w: {"handle": w.other.handle}, json={"role": "admin"}, extra={"admin_only": True}
    ),
    ("POST", "/api/moderation/public-figures"): Attempt(
        lambda w: {}, json={"entry": "Olivia Owner"}, extra={"admin_only": True}
    ),
}

# Routes that name something and are meant for anyone: why each is not in the matrix.
PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/api/users/{handle}"): "a public profile (blocks and suspensions: profile tests)",
    ("GET", "/api/users/{handle}/social"): "public follower counts",
    ("GET", "/api/users/{handle}/videos"): "published videos only",
    ("POST", "/api/users/{handle}/follow"): "changes the caller's own follows",
    ("DELETE", "/api/users/{handle}/follow"): "changes the caller's own follows",
    ("POST", "/api/users/{handle}/block"): "changes the caller's own blocks",
    ("DELETE", "/api/users/{handle}/block"): "changes the caller's own blocks",
    ("GET", "/u/{handle}"): "a public profile page",
    ("GET", "/{unknown}"): "the not-found page",
}


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        for method in route.methods or ():
            if method != "HEAD" and route.path:
                found.add((method, route.path))
    return found


def test_every_route_that_names_a_resource_is_in_the_matrix(app: FastAPI) -> None:
    named = {(m, p) for m, p in _routes(app) if "{" in p}
    placed = set(PRIVATE) | set(STAFF) | set(PUBLIC)
    assert sorted(named - placed) == [], "place these routes in the matrix or on PUBLIC"
    assert sorted(placed - _routes(app)) == [], "these routes no longer exist"


def test_every_moderation_route_is_for_staff_only(app: FastAPI) -> None:
    staff_paths = {(m, p) for m, p in _routes(app) if p.startswith("/api/moderation")}
    assert sorted(staff_paths - set(STAFF)) == []


def _call(client: TestClient, method: str, path: str, attempt: Attempt, w: World) -> Any:
    url = path.format(**attempt.fill(w))
    return client.request(method, url, json=attempt.json, follow_redirects=False)


def _still_the_owners(w: World) -> None:
    """Nothing the others tried changed the owner's things."""
    owner = w.owner_client
    draft = owner.get(f"/api/videos/{w.draft}").json()
    assert (draft["status"], draft["caption"] or "") == ("draft", "")
    assert draft["like_count"] == draft["comment_count"] == 0
    generation = owner.get(f"/api/generations/{w.generation}").json()
    assert (generation["status"], generation["cancelled"]) == ("queued", False)
    character = owner.get(f"/api/characters/{w.character}").json()
    assert character["permission"] == {"level": "only_me", "approved": []}
    assert character["instructions"] == ""
    assert w.api_key in [key["id"] for key in owner.get("/api/tokens").json()["tokens"]]
    assert owner.get(f"/api/webhooks/{w.webhook}").status_code == 200
    comments = owner.get(f"/api/videos/{w.published}/comments").json()["items"]
    assert [c["id"] for c in comments] == [w.comment]
    [decision] = owner.get("/api/me/moderation").json()["items"]
    assert decision["appeal"]["id"] == w.appeal and decision["appeal"]["status"] == "open"
    notices = owner.get("/api/notifications").json()["items"]
    assert [n["read"] for n in notices if n["id"] == w.notification] == [False]


def _secrets(w: World) -> list[str]:
    """Words only the owner should ever be shown."""
    return ["a private sketch of my garden", "a red fox in the snow", "Biscuit", "127.0.0.1:9"]


@pytest.mark.parametrize("actor", ["other", "anonymous"])
def test_private_resources_hold_against_others(
    world: World,
    app: FastAPI,
    actor: str,
    api_client: Callable[[User], TestClient],
) -> None:
    from fastapi.testclient import TestClient

    client = (
        api_client(world.other)
        if actor == "other"
        else TestClient(app, base_url="http://testserver")
    )
    wrong = []
    for (method, path), attempt in PRIVATE.items():
        response = _call(client, method, path, attempt, world)
        expected = attempt.other if actor == "other" else attempt.anonymous
        if response.status_code != expected:
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected}")
        leaked = [word for word in _secrets(world) if word in response.text]
        if leaked:
            wrong.append(f"{method} {path} showed {leaked}")
    assert wrong == []
    _still_the_owners(world)


def test_ids_inside_bodies_hold_against_another_user(
    world: World, api_client: Callable[[User], TestClient]
) -> None:
    """Ids that travel in a body rather than the path: someone else's notifications,
    someone else's moderation decision, someone else's private character."""
    other = api_client(world.other)
    read = other.post("/api/notifications/read", json={"ids": [world.notification]})
    assert read.status_code == 200
    appeal = other.post("/api/appeals", json={"action_id": world.action, "text": "mine too"})
    assert appeal.status_code == 404
    reported = other.post(
        "/api/reports",
        json={"target_type": "character", "target_id": world.character, "reason": "spam"},
    )
    assert reported.status_code == 404
    generated = other.post(
        "/api/generations", json={"prompt": "more of this", "remix_of": world.draft}
    )
    assert generated.status_code == 404
    _still_the_owners(world)


@pytest.mark.parametrize("actor", ["user", "moderator", "anonymous"])
def test_staff_routes_refuse_those_without_the_role(
    world: World,
    app: FastAPI,
    actor: str,
    api_client: Callable[[User], TestClient],
) -> None:
    from fastapi.testclient import TestClient

    client = {
        "user": lambda: api_client(world.other),
        "moderator": lambda: api_client(world.moderator),
        "anonymous": lambda: TestClient(app, base_url="http://testserver"),
    }[actor]()
    admin = api_client(world.admin)
    log_before = admin.get("/api/moderation/audit").json()["items"]
    wrong = []
    for (method, path), attempt in STAFF.items():
        if actor == "moderator" and not attempt.extra.get("admin_only"):
            continue
        response = _call(client, method, path, attempt, world)
        expected = 401 if actor == "anonymous" else 403
        if response.status_code != expected:
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected}")
    assert wrong == []
    _still_the_owners(world)
    # No role changed, nobody was suspended, no appeal decided, no name added.
    assert admin.get("/api/moderation/audit").json()["items"] == log_before
    assert admin.get("/api/me").json()["user"]["role"] == "admin"
    assert api_client(world.other).get("/api/me").json()["user"]["role"] == "user"


def test_the_owner_and_staff_still_reach_them(
    world: World, api_client: Callable[[User], TestClient]
) -> None:
    """The matrix is not passing because everything is refused to everyone."""
    owner = world.owner_client
    # Not there yet, for the owner too: a queued video's file and a pet's cutout before
    # its check ends; and the progress stream of a queued video does not end.
    not_ready = {
        "/v1/videos/{video_id}/content",
        "/api/characters/{character_id}/cutout",
        "/api/generations/{generation_id}/events",
    }
    for (method, path), attempt in PRIVATE.items():
        if method == "GET" and path.startswith(("/api/", "/v1/")) and path not in not_ready:
            response = owner.get(path.format(**attempt.fill(world)))
            assert response.status_code == 200, (path, response.text[:200])
    moderator = api_client(world.moderator)
    assert moderator.get("/api/moderation/appeals").status_code == 200


# Routes without a resource in the path that answer callers who are not signed in.
OPEN_TO_ANONYMOUS: dict[tuple[str, str], str] = {
    ("GET", "/api/docs"): "the API reference page",
    ("GET", "/api/openapi.json"): "the API description",
    ("GET", "/docs/oauth2-redirect"): "part of the API reference page",
    ("GET", "/api/feed"): "the public feed of published videos",
    ("POST", "/api/auth/login"): "signing in",
    ("POST", "/api/auth/signup"): "signing up",
    ("POST", "/api/auth/logout"): "signing out ends whatever session the browser has",
    ("POST", "/api/provenance/check"): "anyone may ask whether a file came from here",
}


def test_private_lists_refuse_anonymous_callers(app: FastAPI, world: World) -> None:
    """Every API route not meant for everyone answers 401 to a caller with no session
    and no key, whatever it lists or changes."""
    from fastapi.testclient import TestClient

    anonymous = TestClient(app, base_url="http://testserver")
    wrong = []
    for method, path in sorted(_routes(app) - set(OPEN_TO_ANONYMOUS)):
        if "{" in path or not path.startswith(("/api/", "/v1/")):
            continue  # named resources: the matrix above; pages: the web tests
        response = anonymous.request(method, path, json={}, follow_redirects=False)
        if response.status_code != 401:
            wrong.append(f"{method} {path}: {response.status_code}")
    assert wrong == []
    assert sorted(set(OPEN_TO_ANONYMOUS) - _routes(app)) == []
    _still_the_owners(world)
