"""Follows and blocks, as people see them: counts, notifications, and a block that
hides each person from the other everywhere."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from kinema.accounts.models import User
from kinema.studio.models import Video


def test_following_shows_in_counts_and_tells_the_person(
    make_user: Callable[..., User], api_client: Callable[[User], TestClient]
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    as_alice, as_bob = api_client(alice), api_client(bob)

    answer = as_alice.post("/api/users/bob/follow")
    assert answer.status_code == 200
    assert answer.json()["following"] is True
    assert as_alice.post("/api/users/bob/follow").status_code == 200  # again is fine

    profile = as_alice.get("/api/users/bob/social").json()["user"]
    assert profile["follower_count"] == 1
    assert profile["is_following"] is True
    assert as_bob.get("/api/users/alice/social").json()["user"]["follows_you"] is True

    notes = as_bob.get("/api/notifications").json()
    assert [n["kind"] for n in notes["items"]] == ["follow"]  # told once
    assert notes["items"][0]["actor"]["handle"] == "alice"
    assert notes["unread_count"] == 1

    assert as_alice.delete("/api/users/bob/follow").json()["following"] is False
    assert as_alice.get("/api/users/bob/social").json()["user"]["follower_count"] == 0
    assert as_alice.post("/api/users/alice/follow").status_code == 400
    assert as_alice.post("/api/users/nobody_here/follow").status_code == 404


def test_a_block_hides_each_from_the_other_everywhere(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    publish: Callable[..., Video],
) -> None:
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    as_alice, as_bob, as_carol = api_client(alice), api_client(bob), api_client(carol)
    bobs = publish(bob, "a cat surfing at sunset")
    carols = publish(carol, "a fox in the snow")
    as_alice.post("/api/users/bob/follow")
    as_bob.post("/api/users/alice/follow")
    as_bob.post(f"/api/videos/{carols.id}/comments", json={"text": "bob was here"})
    as_alice.post(f"/api/videos/{carols.id}/comments", json={"text": "alice was here"})

    assert as_alice.post("/api/users/bob/block").json()["blocked"] is True

    # Follows ended both ways.
    assert as_alice.get("/api/users/alice/social").json()["user"]["follower_count"] == 0
    assert as_alice.get("/api/users/alice/social").json()["user"]["following_count"] == 0
    # Neither sees the other's profile, videos, remixes or lineage.
    for client, other in ((as_alice, "bob"), (as_bob, "alice")):
        assert client.get(f"/api/users/{other}/social").status_code == 404
        assert client.get(f"/api/users/{other}/videos").status_code == 404
        assert client.post(f"/api/users/{other}/follow").status_code == 404
    for path in ("lineage", "remixes", "comments"):
        assert as_alice.get(f"/api/videos/{bobs.id}/{path}").status_code == 404
    assert as_alice.post(f"/api/videos/{bobs.id}/like").status_code == 404
    assert as_alice.post(f"/api/videos/{bobs.id}/comments", json={"text": "hi"}).status_code \
        == 404
    assert as_alice.post(f"/api/videos/{bobs.id}/remix", json={"prompt": "at night"}) \
        .status_code == 404
    # Not in each other's comments under someone else's video.
    seen_by_alice = [c["author"]["handle"]
                     for c in as_alice.get(f"/api/videos/{carols.id}/comments").json()["items"]]
    seen_by_bob = [c["author"]["handle"]
                   for c in as_bob.get(f"/api/videos/{carols.id}/comments").json()["items"]]
    assert seen_by_alice == ["alice"]
    assert seen_by_bob == ["bob"]
    seen_by_carol = {c["author"]["handle"]
                     for c in as_carol.get(f"/api/videos/{carols.id}/comments").json()["items"]}
    assert seen_by_carol == {"alice", "bob"}
    # Not in the feed.
    feed = as_alice.get("/api/feed?limit=50").json()["items"]
    assert bobs.id not in {item["id"] for item in feed}
    assert carols.id in {item["id"] for item in feed}
    # Everyone else still sees bob.
    assert as_carol.get("/api/users/bob/videos").status_code == 200

    assert [u["handle"] for u in as_alice.get("/api/me/blocks").json()["items"]] == ["bob"]
    assert as_alice.delete("/api/users/bob/block").json()["blocked"] is False
    assert as_alice.get("/api/users/bob/videos").status_code == 200


def test_a_video_without_a_scene_description_cannot_be_remixed(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    publish: Callable[..., Video],
    runtime: object,
) -> None:
    from kinema.db import transaction
    from kinema.studio.models import Video as VideoRow

    alice, bob = make_user("alice"), make_user("bob")
    video = publish(alice, "a cat surfing")
    with transaction(runtime.sessions) as session:  # type: ignore[attr-defined]
        row = session.get(VideoRow, video.id)
        assert row is not None
        row.plan = {}
    answer = api_client(bob).post(f"/api/videos/{video.id}/remix", json={"prompt": "at night"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "not_remixable"


def test_a_block_hides_videos_and_profiles_at_their_own_addresses(
    make_user: Callable[..., User],
    api_client: Callable[[User], TestClient],
    publish: Callable[..., Video],
    client: TestClient,
    login: Callable[..., None],
) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    as_alice, as_bob = api_client(alice), api_client(bob)
    bobs = publish(bob, "a cat surfing at sunset")
    alices = publish(alice, "a fox in the snow")
    addresses = ("", "/content", "/content?variant=thumbnail")
    for path in addresses:
        assert as_alice.get(f"/api/videos/{bobs.id}{path}").status_code == 200
    assert as_alice.get("/api/users/bob").status_code == 200

    assert as_bob.post("/api/users/alice/block").status_code == 200

    # Blocked by bob: alice can no longer open his video or profile, and he cannot
    # open hers; both answer as if they did not exist.
    for viewer, video_id, other in ((as_alice, bobs.id, "bob"), (as_bob, alices.id, "alice")):
        for path in addresses:
            answer = viewer.get(f"/api/videos/{video_id}{path}")
            assert answer.status_code == 404, path
            assert answer.json()["error"]["code"] == "not_found"
        assert viewer.get(f"/api/users/{other}").status_code == 404
        assert viewer.get(f"/api/users/{other}").json()["error"]["code"] == "user_not_found"
    # The share page too, for a browser signed in as alice.
    assert client.get(f"/v/{bobs.id}").status_code == 200
    login(client, alice)
    assert client.get(f"/v/{bobs.id}").status_code == 404
    assert client.get(f"/v/{alices.id}").status_code == 200
    client.post("/api/auth/logout")
    client.cookies.clear()
    # Each still sees their own, and people outside the block see both.
    assert as_bob.get(f"/api/videos/{bobs.id}").status_code == 200
    assert as_bob.get("/api/users/bob").status_code == 200
    assert client.get(f"/api/videos/{bobs.id}/content").status_code == 200
    assert client.get("/api/users/alice").status_code == 200

    assert as_bob.delete("/api/users/alice/block").status_code == 200
    assert as_alice.get(f"/api/videos/{bobs.id}").status_code == 200
    assert as_alice.get("/api/users/bob").status_code == 200
